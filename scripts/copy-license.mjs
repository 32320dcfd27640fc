#!/usr/bin/env node
// Every package's prepack: ship the repository's LICENSE in the tarball. npm cannot include a
// file from outside the package directory, so it is copied in (and git-ignored there).
import { copyFileSync } from 'node:fs';

const root = new URL('../LICENSE', import.meta.url);
try {
  copyFileSync(root, 'LICENSE');
} catch (error) {
  process.stderr.write(
    `copy-license: cannot copy ${root.pathname} into ${process.cwd()}: ${error.message}\n`,
  );
  process.exit(1);
}
