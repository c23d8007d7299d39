/**
 * Profiles, stored API keys and webhook secrets. The file is JSON, mode 0600 in a 0700 directory, written
 * atomically by `conf`; it is validated with zod on every read, and a file that does not parse or validate is
 * reported (exit 3) and never overwritten. conf's `encryptionKey` is deliberately not used: it is obfuscation,
 * not security; the file mode is the protection, and docs/usage.md says so.
 *
 * Reading is a JSON parse and the zod check, which every command that talks to a provider does; conf (with
 * ajv, semver and its other dependencies, about 5 ms to load) is loaded only by a command that writes.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Conf from 'conf';
import * as z from './zod.ts';
import { ConfigError, UsageError } from './errors.ts';
import { PROVIDER_NAMES, declaredSettings } from './providers/index.ts';
import type { ProviderName } from './providers/types.ts';

const providerRecord = <T extends z.ZodMiniType>(value: T) => z.partialRecord(z.enum(PROVIDER_NAMES), value);

const profileSchema = z.looseObject({
  provider: z.optional(z.enum(PROVIDER_NAMES)),
  /** Settings the providers declare, by provider and setting name (`{polyai: {region: "eu"}}`). */
  settings: z.optional(providerRecord(z.record(z.string(), z.string()))),
  /** Before settings were per provider: PolyAI's region and Talkover's agent, moved into `settings` on the first write. */
  region: z.optional(z.string()),
  agent: z.optional(z.string()),
  /** API keys by provider. */
  keys: z.optional(providerRecord(z.string())),
  baseUrls: z.optional(providerRecord(z.string())),
  /** Signing secrets the provider shows only once (PolyAI), by provider and webhook id. */
  secrets: z.optional(providerRecord(z.record(z.string(), z.string()))),
  /**
   * Secrets replaced by a rotation, by provider and webhook id, each kept until its grace period ends: `verify`
   * and `listen` name one when a delivery was signed with it (reason `other-secret`), and never accept it.
   */
  retiredSecrets: z.optional(
    providerRecord(z.record(z.string(), z.array(z.object({ secret: z.string(), until: z.string() })))),
  ),
});

/** A secret replaced by a rotation, kept until `until` (ISO 8601). */
export interface RetiredSecret {
  secret: string;
  until: string;
}
export type Profile = z.infer<typeof profileSchema>;

const fileSchema = z.looseObject({
  profiles: z._default(z.record(z.string(), profileSchema), {}),
});
type ConfigFile = z.infer<typeof fileSchema>;

/** The config directory: VOICEHOOKS_CONFIG_DIR, else the OS's config directory. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VOICEHOOKS_CONFIG_DIR) return env.VOICEHOOKS_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'voicehooks');
}

export class ConfigStore {
  readonly path: string;
  /** Problems found and fixed while opening (loose permissions), for the caller to show as warnings. */
  readonly warnings: string[] = [];
  readonly #dir: string;
  #conf?: Conf<ConfigFile>;

  constructor(dir = configDir()) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // mkdir leaves an existing directory as it is. One open to others is tightened like the file, but only
      // when it holds nothing but voicehooks' own file: VOICEHOOKS_CONFIG_DIR may name a shared directory.
      const mode = statSync(dir).mode & 0o777;
      if (mode & 0o077) {
        const ours = readdirSync(dir).every((name) => name.startsWith('config.json'));
        if (ours) chmodSync(dir, 0o700);
        this.warnings.push(
          ours
            ? `The config directory ${dir} was open to others (mode ${mode.toString(8)}); it is now 700.`
            : `The config directory ${dir} is open to others (mode ${mode.toString(8)}); consider \`chmod 700\` on it.`,
        );
      }
    } catch (error) {
      throw new ConfigError(`Cannot create the config directory ${dir}: ${(error as Error).message}`);
    }
    this.#dir = dir;
    this.path = join(dir, 'config.json');
    this.tightenMode();
    this.read();
  }

  /** conf, for writing: loaded with the first write, after the file has been read and checked. */
  async #writer(): Promise<Conf<ConfigFile>> {
    if (this.#conf) return this.#conf;
    const { default: Conf } = await import('conf');
    try {
      this.#conf = new Conf<ConfigFile>({
        cwd: this.#dir,
        configName: 'config',
        projectName: 'voicehooks',
        configFileMode: 0o600,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        watch: false,
      });
    } catch (error) {
      throw corrupt(this.path, error);
    }
    return this.#conf;
  }

  /** A profile's settings (empty when it does not exist). */
  profile(name: string): Profile {
    const profiles = this.read().profiles;
    // Own keys only: a profile named "constructor" must not find Object's constructor.
    return Object.hasOwn(profiles, name) ? (profiles[name] ?? {}) : {};
  }

  profileNames(): string[] {
    return Object.keys(this.read().profiles);
  }

  /** Read-modify-write of one profile; the change is written atomically. */
  async updateProfile(name: string, change: (profile: Profile) => void): Promise<void> {
    // Two processes saving at once (two `config set`, two `auth login`) would each write back what it read
    // and lose the other's change: the read-modify-write happens under a lock file, and the file is re-read
    // inside it (found by test/config-safety.test.ts).
    checkProfileName(name);
    const conf = await this.#writer();
    this.withLock(() => {
      const file = this.read();
      const profile = structuredClone(Object.hasOwn(file.profiles, name) ? (file.profiles[name] ?? {}) : {});
      migrateProfile(profile);
      change(profile);
      file.profiles[name] = profileSchema.parse(profile);
      try {
        conf.set('profiles', file.profiles);
      } catch (error) {
        throw unwritable(this.path, error);
      }
    });
  }

  /** Runs `fn` holding `config.json.lock` (O_EXCL), waiting up to LOCK_WAIT_MS for another holder. */
  private withLock(fn: () => void): void {
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ConfigError(`Cannot lock the config file ${this.path}: ${(error as Error).message}`);
        }
        // A lock left by a process that died mid-save: saving takes milliseconds, so an old one is stale.
        if (lockAgeMs(lock) > STALE_LOCK_MS) {
          rmSync(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new ConfigError(
            `The config file ${this.path} is being saved by another voicehooks process.`,
            {
              hint: `Try again. If no other voicehooks runs, remove ${lock}.`,
            },
          );
        }
        Atomics.wait(LOCK_SLEEP, 0, 0, 10 + Math.random() * 20);
      }
    }
    try {
      fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  apiKey(profile: string, provider: ProviderName): string | undefined {
    return this.profile(profile).keys?.[provider];
  }

  webhookSecret(profile: string, provider: ProviderName, id: string): string | undefined {
    return this.profile(profile).secrets?.[provider]?.[id];
  }

  /** Keeps a signing secret the provider will not show again (PolyAI), replacing any kept before. */
  saveWebhookSecret(profile: string, provider: ProviderName, id: string, secret: string): Promise<void> {
    return this.updateProfile(profile, (p) => {
      p.secrets = { ...p.secrets, [provider]: { ...p.secrets?.[provider], [id]: secret } };
    });
  }

  /** The replaced secrets of a provider's webhooks whose grace period has not ended, by webhook id. */
  retiredSecrets(profile: string, provider: ProviderName, now = new Date()): Record<string, RetiredSecret[]> {
    const out: Record<string, RetiredSecret[]> = {};
    for (const [id, list] of Object.entries(this.profile(profile).retiredSecrets?.[provider] ?? {})) {
      const live = list.filter((r) => Date.parse(r.until) > now.getTime());
      if (live.length > 0) out[id] = live;
    }
    return out;
  }

  /**
   * Keeps secrets a rotation replaced until `until`; entries past their own end are dropped on the way, so the
   * store holds no secret longer than its grace period (plus the time until the next write).
   */
  retireSecrets(
    profile: string,
    provider: ProviderName,
    id: string,
    secrets: readonly string[],
    until: Date,
  ): Promise<void> {
    const now = Date.now();
    return this.updateProfile(profile, (p) => {
      const all = { ...p.retiredSecrets };
      const byId: Record<string, RetiredSecret[]> = {};
      for (const [other, list] of Object.entries(all[provider] ?? {})) {
        const live = list.filter((r) => Date.parse(r.until) > now && !secrets.includes(r.secret));
        if (live.length > 0) byId[other] = live;
      }
      const added = secrets.map((secret) => ({ secret, until: until.toISOString() }));
      byId[id] = [...added, ...(byId[id] ?? [])];
      all[provider] = byId;
      p.retiredSecrets = all;
    });
  }

  /** Drops a kept signing secret; true when there was one. */
  async forgetWebhookSecret(profile: string, provider: ProviderName, id: string): Promise<boolean> {
    if (this.webhookSecret(profile, provider, id) === undefined) return false;
    await this.updateProfile(profile, (p) => {
      const kept = { ...p.secrets?.[provider] };
      delete kept[id];
      const secrets = { ...p.secrets };
      if (Object.keys(kept).length > 0) secrets[provider] = kept;
      else delete secrets[provider];
      if (Object.keys(secrets).length > 0) p.secrets = secrets;
      else delete p.secrets;
    });
    return true;
  }

  private read(): ConfigFile {
    let store: unknown;
    try {
      store = readStore(this.path);
    } catch (error) {
      throw corrupt(this.path, error);
    }
    const parsed = fileSchema.safeParse(store);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(
        `The config file ${this.path} is not valid (${issue?.path.join('.') || 'root'}: ${issue?.message}); it was left as it is.`,
        { hint: 'Fix it by hand, or move it away to start afresh.' },
      );
    }
    return parsed.data;
  }

  private tightenMode(): void {
    let mode: number;
    try {
      mode = statSync(this.path).mode & 0o777;
    } catch {
      return; // not written yet; conf creates it with 0600
    }
    if (mode & 0o077) {
      chmodSync(this.path, 0o600);
      this.warnings.push(
        `The config file ${this.path} was readable by others (mode ${mode.toString(8)}); it is now 600.`,
      );
    }
  }
}

const LOCK_WAIT_MS = 5000;
const STALE_LOCK_MS = 10_000;
/** For a synchronous sleep between attempts to take the lock (the store's API is synchronous). */
const LOCK_SLEEP = new Int32Array(new SharedArrayBuffer(4));

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0; // just released: the next attempt will tell
  }
}

/**
 * Profile names that are names of every object's own machinery (`__proto__`, `constructor`, `toString` …):
 * stored as keys of the file they would be lost or misread, so they are refused.
 */
export function checkProfileName(name: string): string {
  if (name === '' || name in Object.prototype) {
    throw new UsageError(`"${name}" cannot be a profile name.`, {
      hint: 'Choose another name, e.g. --profile work.',
    });
  }
  return name;
}

/**
 * The file's JSON object, or an empty one when there is no file yet. Throws when it cannot be read, does not
 * parse, or holds JSON that is not an object: conf would read `[]`, `null` or `42` as an empty object, which
 * the next save would write over.
 */
function readStore(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let value: unknown;
  try {
    // A byte-order mark, which some editors write, is not JSON but is no reason to refuse the file (nor did conf).
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`it is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new Error(`it holds ${what}, not an object`);
  }
  return value;
}

/** A save that failed (a full disk, a read-only file system): the file was left as it was. */
function unwritable(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (code ?? (error as Error).message.split('\n')[0]);
  return new ConfigError(`Cannot save the config file ${path}: ${why}. It was left as it was.`, {
    hint: code === 'ENOSPC' ? 'Free some disk space and try again.' : 'Check the file and its directory.',
  });
}

function corrupt(path: string, error: unknown): ConfigError {
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new ConfigError(`The config file ${path} cannot be read (${why}); it was left as it is.`, {
    hint: 'Fix it by hand, or move it away to start afresh.',
  });
}

/**
 * Moves the global keys of before per-provider settings into each declaring provider's settings (a key stays
 * where a provider already has its own value), then drops them. Run on every write of a profile.
 */
export function migrateProfile(profile: Profile): void {
  const record = profile as Record<string, unknown>;
  const legacyKeys = new Set<string>();
  for (const { provider, setting } of declaredSettings()) {
    if (setting.legacyKey === undefined) continue;
    legacyKeys.add(setting.legacyKey);
    const value = record[setting.legacyKey];
    if (typeof value !== 'string') continue;
    const settings = { ...profile.settings };
    const own = { ...settings[provider.name] };
    own[setting.name] ??= value;
    settings[provider.name] = own;
    profile.settings = settings;
  }
  for (const key of legacyKeys) delete record[key];
}
