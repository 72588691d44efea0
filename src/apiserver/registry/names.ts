import { randomInt } from 'node:crypto';

// The alphabet and lengths of k8s.io/apiserver/pkg/storage/names: no vowels (no words), no
// look-alike characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME_LENGTH = 63;
const RANDOM_LENGTH = 5;
const MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH;

export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return base.slice(0, MAX_GENERATED_NAME_LENGTH) + suffix;
}

/** How many names are tried before answering 409 (RetryGenerateName). */
export const GENERATE_NAME_ATTEMPTS = 8;
