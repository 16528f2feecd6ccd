/**
 * What a controller is made with: the application, where its endpoint is, the store, and the
 * limits and clocks a deployment or a test tunes.
 */
import type { Class, JsonValue, TypeMigration } from '@apskit/core';
import type { Store, TaskRecord } from '@apskit/store';
import type { Transport } from './transport/transport';
import type { TokensOption } from './auth/tokens';

export interface ControllerOptions {
  /** The application: its name (in task names) and its services, as the endpoint serves them. */
  app: {
    name: string;
    services: Readonly<Record<string, Class>>;
    /** What `defineApp({ upgrade })` holds: `migrate`, how an upgrade moves older type IDs' resources. */
    upgrade?: { readonly migrate?: Readonly<Record<string, TypeMigration>> };
  };
  /**
   * The application resource's settings (the globals: the type implementing the core application
   * type) when the instance is created: its properties, as a client would POST them, provisioned
   * through the endpoint like any resource (validated; a refusal stops the start with its error).
   * Read only when the instance is created: later starts keep what is stored; change the settings
   * with `PUT /aps/2/resources/{globalsId}` (a configure).
   */
  globals?: Readonly<Record<string, JsonValue>>;
  /**
   * Where the endpoint is. `{ url }`: any APS endpoint over HTTP(S), in whatever runtime; over HTTPS
   * the controller presents its client certificate (see `trust`), and trusts the endpoint's server
   * certificate when it chains to `ca` (PEM; default: the system's CAs), a self-signed endpoint's
   * certificate, say. `{ inProcess: true }` (the default): APSKit serves `app.services` in this
   * process, reading resources from this controller's store. Or a Transport of your own.
   */
  endpoint?:
    | { url: string; fetch?: typeof fetch; timeoutMs?: number; ca?: string | readonly string[] }
    | { inProcess: true }
    | Transport;
  /**
   * Default: PostgreSQL when `databaseUrl` (or APSKIT_DATABASE_URL) is set, through
   * @apskit/store-postgres; else SQLite at `<dataDir>/apskit.sqlite`.
   */
  store?: Store;
  /** `postgres://…`: the database several controller processes share; default APSKIT_DATABASE_URL. */
  databaseUrl?: string;
  /**
   * Where the SQLite file lives, and the controller's certificates (`trust/`: its CA, its client
   * certificate); default APSKIT_DATA_DIR, then `.apskit`. With PostgreSQL or a store passed in, the
   * certificates are kept in the store instead.
   */
  dataDir?: string;
  /** Multiplies every APS-Retry-Timeout; default APSKIT_TIME_SCALE, then 1. 0.01 turns 30 s into 300 ms. */
  timeScale?: number;
  /** How long a task may keep answering 202 before it fails, in seconds: one number, or per type name. Default 24 h. */
  maxPollingSeconds?: number | Readonly<Record<string, number>>;
  /**
   * Attempts (endpoint calls) at once. Default 16. With SQLite's writer thread, up to twice as many
   * more tasks are claimed ahead (docs/controller.md, Persistence and crashes).
   */
  concurrency?: number;
  /** This controller's URL, sent to the endpoint as APS-Controller-URI (set by `listen`). */
  controllerUri?: string;
  /** Milliseconds since the epoch; replaceable in tests. */
  clock?: () => number;
  /** How long a claimed task stays this process's. Default 2 min. */
  leaseMs?: number;
  /** The longest the scheduler sleeps before looking at the store again. Default 1 s. */
  pollMs?: number;
  /** Called as the scheduler claims a task, with its lateness: for benchmarks and metrics. */
  onClaim?: (task: TaskRecord, latenessMs: number) => void;
  /**
   * Host names (without port) the API and the console answer to, besides the loopback names
   * (localhost, 127.0.0.1, [::1]) and the host of `controllerUri`: a request naming another Host is
   * refused (421), which is what stops DNS rebinding. `['*']` turns the check off. Default
   * APSKIT_ALLOWED_HOSTS (comma-separated), else none.
   */
  allowedHosts?: readonly string[];
  /**
   * Page sizes of the API's lists (resources, tasks, a task's history): `default` when the request
   * names no range, `max` at most whatever it names. Default 1000 and 1000 (APS's own default count).
   */
  pageSize?: { readonly default?: number; readonly max?: number };
  /**
   * A page of resources or tasks ends early, at the item that takes its JSON past this many bytes
   * (it has one item at least); Content-Range says where it ended. Default 8 MiB.
   */
  maxPageBytes?: number;
  /** Clients of `GET /apskit/events` at once; one more is answered 503 with Retry-After. Default 100. */
  maxEventClients?: number;
  /** Events the default store keeps per task, the newest ones (a store you pass has its own option). Default 100. */
  maxTaskEvents?: number;
  /**
   * The bearer tokens people and tools call the API with, each with a role (`admin`, or `owner` of
   * an account): definitions (`{token | tokenSha256, role, account?, subject?}`), or the path of a
   * tokens file. Default: the file APSKIT_TOKENS_FILE names, else none. With none, the API runs open
   * on a loopback address and `startController` refuses any other (docs/security.md, "Tokens and roles").
   */
  tokens?: TokensOption;
  /**
   * The period of the "Synchronize resource usage" job, in seconds (scaled by the time scale): each
   * resource of a type with `Counter` or `Usage` properties is retrieved and its usage stored. Default
   * APSKIT_USAGE_SYNC_SECONDS, then 3600; `false` or 0: no periodic sync (`POST /apskit/usage/sync` still runs one).
   */
  usageSyncSeconds?: number | false;
}
