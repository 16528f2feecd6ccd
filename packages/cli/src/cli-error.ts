/** An error the CLI reports as one clear line and exit code 1; a stack trace only with --verbose. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
