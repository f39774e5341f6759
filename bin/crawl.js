#!/usr/bin/env node
// The installed `crawl` command: everything lives in the built CLI.
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2));
