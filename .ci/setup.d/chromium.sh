# Debian's Chromium for the console's browser tests (packages/controller/test/console-browser.test.ts),
# sourced by .ci/run before `npm test`; a developer can source it too. playwright-core drives
# /usr/bin/chromium and never downloads a browser of its own.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "chromium: installing Debian's Chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "chromium: not installed, so the console's browser tests will be skipped; install it with: sudo apt-get install -y chromium" >&2
  fi
fi
if [ -x /usr/bin/chromium ]; then
  # With Chromium here, a browser test that cannot run fails the run instead of being skipped.
  export APSKIT_REQUIRE_BROWSER=1
fi
# Nothing in the run may fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
