/**
 * How the package test installs the tarball; the Dockerfile's run stage installs it the same way,
 * which test/unit/deploy checks, so that the image runs what the test ran.
 */
export const NPM_INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'] as const;
