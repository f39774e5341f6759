// Preloaded with `node --import` by a test: makes cookie-file loading throw a TypeError, the way a
// bug in crawl would, to prove that a bug is reported as one (exit 70), not blamed on the user.
import { Jar } from '../../../src/fetch/cookies.js';

Jar.prototype.load = function load(): Promise<string | undefined> {
  return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'split')"));
};
