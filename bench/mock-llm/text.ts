/**
 * Deterministic mock documents. A document is a pure function of the prompt (every
 * non-assistant message, with its role) and a seed, so a generation cut short can be resumed
 * and its pieces compared byte for byte with one uninterrupted run.
 */
import { createHash } from 'node:crypto';

import { WORDS } from './words.ts';

/** One chat message reduced to its role and plain text. */
export interface PromptMessage {
  role: string;
  text: string;
}

/** Per-request overrides written into the prompt, e.g. `[[mock:tokens=120]]`. */
export interface Directives {
  /** Document length in tokens. */
  tokens?: number;
  /** Output pacing for this request; 0 or Infinity means no pacing. */
  tokensPerSecond?: number;
}

/** A generated document: `length` tokens, each a separator (`''`, `' '` or `'\n\n'`) + word. */
export interface MockDocument {
  readonly length: number;
  /** Tokens `from` (inclusive) to `to` (exclusive), clamped to the document. */
  slice(from: number, to: number): string[];
}

/** What a document depends on. */
export interface DocumentInput {
  /** The non-assistant messages, in order. */
  prompt: readonly PromptMessage[];
  seed: number;
  /** Length range used when the prompt has no `[[mock:tokens=N]]` directive. */
  minTokens: number;
  maxTokens: number;
}

const TOKENS_DIRECTIVE = /\[\[mock:tokens=(\d+)\]\]/g;
const TPS_DIRECTIVE = /\[\[mock:tps=(\d+(?:\.\d+)?|Infinity)\]\]/g;

/** Counts whitespace-separated words, which is also how tokens of a document are counted. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Reads directives from message texts; when one appears twice, the last occurrence wins. */
export function parseDirectives(texts: readonly string[]): Directives {
  const directives: Directives = {};
  for (const text of texts) {
    for (const match of text.matchAll(TOKENS_DIRECTIVE)) directives.tokens = Number(match[1]);
    for (const match of text.matchAll(TPS_DIRECTIVE)) {
      directives.tokensPerSecond = Number(match[1]);
    }
  }
  return directives;
}

/** Builds the document for a prompt and seed. */
export function createDocument(input: DocumentInput): MockDocument {
  const digest = createHash('sha256')
    .update(JSON.stringify({ seed: input.seed, prompt: input.prompt.map((m) => [m.role, m.text]) }))
    .digest();
  const directed = parseDirectives(input.prompt.map((m) => m.text)).tokens;
  const span = input.maxTokens - input.minTokens + 1;
  const length = directed ?? input.minTokens + (digest.readUInt32LE(16) % span);

  return {
    length,
    slice(from, to) {
      const end = Math.min(Math.max(to, 0), length);
      const start = Math.min(Math.max(from, 0), end);
      return generated(digest, length, end).slice(start, end);
    },
  };
}

/**
 * Tokens of recent documents, kept so that a long generation asked for in thousands of small
 * chunks costs each request its own slice, not a replay of the whole document. Each token
 * depends on the writer's state, so a document grows only from where it was left.
 */
const recent = new Map<string, { writer: ProseWriter; tokens: string[] }>();
const RECENT_DOCUMENTS = 16;

function generated(digest: Buffer, length: number, end: number): string[] {
  const key = `${digest.toString('hex')}:${length}`;
  let entry = recent.get(key);
  if (!entry) {
    entry = { writer: new ProseWriter(digest), tokens: [] };
    if (recent.size >= RECENT_DOCUMENTS) recent.delete(recent.keys().next().value!);
  }
  recent.delete(key);
  recent.set(key, entry); // most recently used last
  for (let i = entry.tokens.length; i < end; i += 1) {
    entry.tokens.push(entry.writer.next(i === 0, i === length - 1));
  }
  return entry.tokens;
}

/** Emits words as sentences with commas, closing marks and occasional paragraph breaks. */
class ProseWriter {
  private readonly random: () => number;
  private wordsLeft = 0;
  private endedSentence = false;

  constructor(digest: Buffer) {
    this.random = sfc32(
      digest.readUInt32LE(0),
      digest.readUInt32LE(4),
      digest.readUInt32LE(8),
      digest.readUInt32LE(12),
    );
  }

  next(first: boolean, last: boolean): string {
    const breakParagraph = this.endedSentence && this.random() < 0.2;
    const separator = first ? '' : breakParagraph ? '\n\n' : ' ';
    const opensSentence = this.wordsLeft === 0;
    if (opensSentence) this.wordsLeft = 5 + Math.floor(this.random() * 14);

    let word = WORDS[Math.floor(this.random() * WORDS.length)] ?? 'word';
    if (opensSentence) word = word.charAt(0).toUpperCase() + word.slice(1);
    this.wordsLeft -= 1;

    let mark = '';
    if (this.wordsLeft === 0) mark = this.random() < 0.05 ? '?' : '.';
    else if (!opensSentence && this.wordsLeft > 1 && this.random() < 0.08) mark = ',';
    // The document's final word closes its sentence, whatever the sentence plan said.
    if (last && mark !== '.' && mark !== '?') mark = '.';

    this.endedSentence = mark === '.' || mark === '?';
    return separator + word + mark;
  }
}

/** A small, fast PRNG with 128 bits of state (the "simple fast counter" design). */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  const step = (): number => {
    const sum = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = ((c << 21) | (c >>> 11)) + sum;
    c |= 0;
    return (sum >>> 0) / 4294967296;
  };
  // Mix the seed words before the first value is used.
  for (let i = 0; i < 12; i += 1) step();
  return step;
}
