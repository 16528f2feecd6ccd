/**
 * The bearer tokens people and tools call the controller's API with (issue 18), each with a role:
 * `admin` (a provider administrator) or `owner` (the owner of one account, a resource implementing
 * the core account type). Only a token's SHA-256 is kept, in memory and in the tokens file: a
 * leaked file or heap dump gives no usable token, and a token is 32 random bytes, so a fast hash is
 * enough (there is no password to guess). A presented token is hashed and compared with every kept
 * hash in constant time, without stopping at a match, so the time taken says nothing of which
 * entry matched or how much of it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Caller } from './caller';

/** The environment variable naming the tokens file when the `tokens` option is not given. */
export const TOKENS_FILE_ENV = 'APSKIT_TOKENS_FILE';

export type TokenRole = 'admin' | 'owner';

/**
 * One token, as a program configures it (the `tokens` option). Either the token itself (hashed as
 * it is read; the text is not kept) or its SHA-256 in hex, as the tokens file has it.
 */
export type TokenDefinition = ({ readonly token: string } | { readonly tokenSha256: string }) & {
  readonly role: TokenRole;
  /** The account's resource id, for an `owner` token (and only for one). */
  readonly account?: string;
  /** Who holds the token: a name for the logs and for `aps` audit, never the token. */
  readonly subject?: string;
};

/** The `tokens` option: the definitions, or the path of a tokens file (see `readTokensFile`). */
export type TokensOption = readonly TokenDefinition[] | string;

/** A kept token: its hash and the caller it stands for. */
interface KeptToken {
  readonly hash: Buffer;
  readonly caller: Caller;
}

/** The shortest token text accepted in the `tokens` option: shorter ones can be guessed. */
export const MIN_TOKEN_LENGTH = 20;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** RFC 6750's b64token: what a bearer token may be made of. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A new token: `apskit_` and 32 random bytes in base64url (43 characters). */
export function generateToken(): string {
  return `apskit_${randomBytes(32).toString('base64url')}`;
}

/** The tokens file's entry for a token: what `apskit token add` appends. */
export function tokenFileEntry(
  token: string,
  role: TokenRole,
  options: { account?: string; subject?: string } = {},
): Record<string, string> {
  const entry: Record<string, string> = { 'token-sha256': sha256(token).toString('hex'), role };
  if (options.account !== undefined) entry.account = options.account;
  if (options.subject !== undefined) entry.subject = options.subject;
  return entry;
}

/** The tokens a controller accepts. Empty: no token is accepted (and the controller may run open). */
export class TokenStore {
  private constructor(private readonly kept: readonly KeptToken[]) {}

  static empty(): TokenStore {
    return new TokenStore([]);
  }

  static of(definitions: readonly TokenDefinition[], where = 'tokens'): TokenStore {
    const kept = definitions.map((d, i) => keep(d, `${where}[${i}]`));
    const seen = new Set<string>();
    kept.forEach((k, i) => {
      const hex = k.hash.toString('hex');
      if (seen.has(hex)) throw new Error(`${where}[${i}]: the same token is configured twice`);
      seen.add(hex);
    });
    return new TokenStore(kept);
  }

  /**
   * From the `tokens` option, else the file APSKIT_TOKENS_FILE names, else none. Throws, naming
   * the entry and the field, on anything malformed: a controller must not start with tokens it
   * misread (a token silently dropped would lock its holder out; one misread role, worse).
   */
  static configured(option: TokensOption | undefined, env: NodeJS.ProcessEnv = process.env): TokenStore {
    if (typeof option === 'string') return TokenStore.of(readTokensFile(option), option);
    if (option !== undefined) return TokenStore.of(option);
    const file = env[TOKENS_FILE_ENV];
    if (file === undefined || file.trim() === '') return TokenStore.empty();
    return TokenStore.of(readTokensFile(file.trim()), file.trim());
  }

  get size(): number {
    return this.kept.length;
  }

  /** The caller `token` stands for, or undefined. Constant time in the token and the match. */
  find(token: string): Caller | undefined {
    const hash = sha256(token);
    let found: Caller | undefined;
    for (const k of this.kept) {
      // Every entry compared, whatever matched before: the loop's time is the same for every token.
      if (timingSafeEqual(hash, k.hash) && found === undefined) found = k.caller;
    }
    return found;
  }
}

/** Whether `text` can be a bearer token on the wire (RFC 6750 section 2.1). */
export function isBearerToken(text: string): boolean {
  return text.length <= 4096 && B64TOKEN.test(text);
}

function keep(d: TokenDefinition, where: string): KeptToken {
  if (typeof d !== 'object' || d === null) throw new Error(`${where}: must be an object with a token and a role`);
  let hash: Buffer;
  if ('token' in d && typeof d.token === 'string') {
    if (d.token.length < MIN_TOKEN_LENGTH)
      throw new Error(
        `${where}.token: a token must be at least ${MIN_TOKEN_LENGTH} characters (make one with generateToken())`,
      );
    if (!isBearerToken(d.token))
      throw new Error(`${where}.token: a bearer token is letters, digits and - . _ ~ + / (then = padding) only`);
    hash = sha256(d.token);
  } else if ('tokenSha256' in d && typeof d.tokenSha256 === 'string') {
    const hex = d.tokenSha256.toLowerCase();
    if (!HEX_SHA256.test(hex)) throw new Error(`${where}.tokenSha256: must be a SHA-256 in hex (64 characters)`);
    hash = Buffer.from(hex, 'hex');
  } else {
    throw new Error(`${where}: needs token (the text) or tokenSha256 (its SHA-256 in hex)`);
  }
  const subject = d.subject ?? `${d.role} token ${hash.toString('hex').slice(0, 8)}`;
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 200)
    throw new Error(`${where}.subject: must be a name of 1 to 200 characters`);
  if (d.role === 'admin') {
    if (d.account !== undefined)
      throw new Error(`${where}.account: an admin token reaches every account; only an owner token names one`);
    return { hash, caller: { kind: 'admin', subject } };
  }
  if (d.role === 'owner') {
    if (typeof d.account !== 'string' || d.account.trim() === '')
      throw new Error(`${where}.account: an owner token must name its account (the account resource's id)`);
    return { hash, caller: { kind: 'owner', subject, accountId: d.account } };
  }
  throw new Error(`${where}.role: must be "admin" or "owner", not ${JSON.stringify(String(d.role)).slice(0, 40)}`);
}

const FILE_FIELDS = new Set(['token-sha256', 'role', 'account', 'subject']);

/**
 * A tokens file: a JSON array of `{"token-sha256": "<hex>", "role": "admin" | "owner",
 * "account": "<resource id>" (owner only), "subject": "<name>"}`. A plain `"token"` is refused: the
 * file keeps no usable token (a token is shown once, when it is made, by `apskit token add`).
 */
export function readTokensFile(path: string): TokenDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`The tokens file ${path} cannot be read: ${(e as Error).message}`);
  }
  return parseTokensFile(text, path);
}

export function parseTokensFile(text: string, path: string): TokenDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`The tokens file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(json)) throw new Error(`The tokens file ${path} must hold a JSON array of tokens`);
  return json.map((entry: unknown, i): TokenDefinition => {
    const where = `${path}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new Error(`${where}: must be an object`);
    const e = entry as Record<string, unknown>;
    if ('token' in e)
      throw new Error(
        `${where}.token: the tokens file keeps no plain token; keep its SHA-256 as "token-sha256" ` +
          '(`apskit token add` writes one)',
      );
    for (const key of Object.keys(e))
      if (!FILE_FIELDS.has(key))
        throw new Error(`${where}.${key.slice(0, 40)}: unknown field (known: ${[...FILE_FIELDS].join(', ')})`);
    for (const key of ['token-sha256', 'role', 'account', 'subject'])
      if (e[key] !== undefined && typeof e[key] !== 'string') throw new Error(`${where}.${key}: must be a string`);
    if (e['token-sha256'] === undefined) throw new Error(`${where}: needs "token-sha256"`);
    return {
      tokenSha256: e['token-sha256'] as string,
      role: e.role as TokenRole,
      ...(e.account === undefined ? {} : { account: e.account as string }),
      ...(e.subject === undefined ? {} : { subject: e.subject as string }),
    };
  });
}
