#!/usr/bin/env -S node --max-semi-space-size=8
// The installed `crawl` command: everything lives in the built CLI.
// The node flag above is the one place crawl's node options live (npm's bin links, `npx`, the Docker
// image's ENTRYPOINT all run this shebang; tests and the bench read it, fixtures/bin.ts): an 8 MB
// semi-space keeps V8's young generation at 16 MB instead of 32, so a list of thousands of hosts,
// whose fresh connections survive scavenges, peaks no higher than ~1.2× a list over four
// (README "Performance"). It must be given when node starts; v8.setFlagsFromString has no effect then.
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2));
