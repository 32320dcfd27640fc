import { describe, expect, it } from 'vitest';
import { outOfMemoryNote } from './attack.js';

/** The note of an attack stopped by kernel memory (issue 16: a million pinned pages). */
describe('outOfMemoryNote', () => {
  it("names the arena's size, and where a 32-bit kernel's 4 GiB is the limit, the way past it", () => {
    expect(outOfMemoryNote(1000, 932064, 2 ** 32, 4)).toBe(
      "uid 1000 stopped at 932064 contexts: kernel memory ran out (4 GiB: a 32-bit kernel's most; a 64-bit machine such as core2-2007 holds up to 16 GiB)",
    );
    expect(outOfMemoryNote(1001, 5, 2 ** 32, 8)).toBe(
      'uid 1001 stopped at 5 contexts: kernel memory ran out (4 GiB)',
    );
    expect(outOfMemoryNote(1000, 5, 2 ** 31, 4)).toBe(
      'uid 1000 stopped at 5 contexts: kernel memory ran out (2 GiB)',
    );
    expect(outOfMemoryNote(1000, 7, 10.5 * 2 ** 30 + 2 ** 20, 8)).toBe(
      'uid 1000 stopped at 7 contexts: kernel memory ran out (10.5 GiB)',
    );
    expect(outOfMemoryNote(1000, 7, 2 ** 30, 8)).toBe(
      'uid 1000 stopped at 7 contexts: kernel memory ran out (1 GiB)',
    );
    expect(outOfMemoryNote(1000, 7, 2 ** 30 - 2 ** 19, 8)).toBe(
      'uid 1000 stopped at 7 contexts: kernel memory ran out (1023.5 MiB)',
    );
    expect(outOfMemoryNote(1000, 7, 3 * 2 ** 20 + 2 ** 18, 8)).toBe(
      'uid 1000 stopped at 7 contexts: kernel memory ran out (3.3 MiB)',
    );
  });
});
