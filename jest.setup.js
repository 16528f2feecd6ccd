// Tests are quiet: the endpoint logs at APSKIT_LOG_LEVEL, and a test that wants logs sets its own.
process.env.APSKIT_LOG_LEVEL = process.env.APSKIT_LOG_LEVEL || 'silent';
