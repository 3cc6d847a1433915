/**
 * The seed's only source of randomness. Math.random and crypto would make two
 * loads of the same (scale, seed, anchor) differ; this generator gives the
 * same sequence for the same seed on every machine and Node version.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of
 * state, so the streams of a hundred thousand customers never run into each
 * other (a 32-bit generator such as mulberry32 walks one cycle that every
 * seed enters somewhere, so long streams overlap and repeat ids).
 * Each (seed, stream) pair gets its own starting state: a customer's history
 * does not shift when another customer draws more or fewer numbers.
 */
export function createRandom(seed: number, stream = 0): Random {
  // The state lives in a typed array: numbers kept in closure variables
  // would box a fresh heap number on every draw, tens of millions of them.
  const state = new Int32Array([mix(seed, stream, 1), mix(seed, stream, 2), mix(seed, stream, 3), 1]);
  const uint32 = (): number => {
    const a = state[0];
    const b = state[1];
    const c = state[2];
    const d = state[3];
    const t = (((a + b) | 0) + d) | 0;
    state[3] = d + 1;
    state[0] = b ^ (b >>> 9);
    state[1] = c + (c << 3);
    state[2] = ((c << 21) | (c >>> 11)) + t;
    return t >>> 0;
  };
  // The first outputs still echo the seeding; the reference implementation skips them too.
  for (let i = 0; i < 12; i++) uint32();
  const next = (): number => uint32() / 4294967296;
  return {
    next,
    uint32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** A 32-bit hash (murmur3's finaliser) of the seed, the stream and a lane. */
function mix(seed: number, stream: number, lane: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77) ^ Math.imul(lane, 0xc2b2ae3d)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

/** Picks from weighted choices; the cumulative table is built once, not per draw. */
export function weightedPicker<T>(choices: ReadonlyArray<readonly [T, number]>): (random: Random) => T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let running = 0;
  const bounds = choices.map(([, weight]) => (running += weight / total));
  return (random) => {
    const draw = random.next();
    for (let i = 0; i < bounds.length - 1; i++) if (draw < bounds[i]) return choices[i][0];
    return choices[choices.length - 1][0];
  };
}

/** A positive value around `median`, skewed right like waiting times and activity levels are. */
export function logNormal(random: Random, median: number, sigma: number): number {
  // Box–Muller; 1 - next() keeps the logarithm away from zero.
  const gaussian = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  return median * Math.exp(sigma * gaussian);
}
