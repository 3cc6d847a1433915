import type { Random } from './random.ts';

// The same shape as server/ids.ts newId (prefix, 10 time characters, 16 random
// ones), drawn from the seed's generator so that reloading gives the same ids.
// The time part keeps ids in insertion order, so their unique indexes grow at
// the right edge instead of splitting pages all over the tree.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
/** Every pair of alphabet characters, so an id takes 13 lookups instead of 26 concatenations. */
const pairs = Array.from({ length: 1024 }, (_, i) => alphabet[i >> 5] + alphabet[i & 31]);

export function seededId(prefix: string, atMs: number, random: Random): string {
  // 50 bits of milliseconds: two 25-bit halves, five characters each.
  const high = Math.floor(atMs / 2 ** 25);
  const low = atMs % 2 ** 25;
  const time = pairs[high >> 15] + pairs[(high >> 5) & 1023] + alphabet[high & 31] + pairs[low >> 15] + pairs[(low >> 5) & 1023] + alphabet[low & 31];
  const a = random.uint32();
  const b = random.uint32();
  // 80 random bits as 16 characters: 30 + 30 + 20 bits of three draws.
  const c = random.uint32();
  const tail =
    pairs[a & 1023] + pairs[(a >>> 10) & 1023] + pairs[(a >>> 20) & 1023] +
    pairs[b & 1023] + pairs[(b >>> 10) & 1023] + pairs[(b >>> 20) & 1023] +
    pairs[c & 1023] + pairs[(c >>> 10) & 1023];
  return `${prefix}_${time}${tail}`;
}

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');

/** A random (version 4) UUID, the shape of the chat ID in the studio's agent URLs. */
export function seededUuid(random: Random): string {
  const a = hex8(random.uint32());
  const b = hex8(random.uint32());
  const c = hex8(random.uint32());
  const d = hex8(random.uint32());
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}
