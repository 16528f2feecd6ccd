/**
 * What `apskit dev` (the supervisor) and the child process that serves one version of the module say
 * to each other over the IPC channel of `child_process.fork`. One child serves one version: a reload
 * is a new child, so every reload loads the module's files afresh, and the store keeps the state.
 */

/** What the supervisor tells a child to serve: everything is resolved to absolute values first. */
export interface DevServeConfig {
  /** The module's entry file (absolute). */
  readonly moduleFile: string;
  /** The name of the APS application when the module exports no app (its package's name). */
  readonly fallbackName: string;
  readonly host: string;
  /** The port to listen on: 0 for the first child only; a reload listens where the first one did. */
  readonly port: number;
  readonly dataDir: string;
  readonly timeScale?: number;
  /** An endpoint running elsewhere; without it, the module's services are served in the child. */
  readonly endpointUrl?: string;
}

/** Child → supervisor. */
export type ChildMessage =
  /** The module loaded and its types make a model: the child can take over when told to. */
  | { readonly kind: 'loaded'; readonly types: readonly string[] }
  /** Loading (phase `load`) or serving (phase `serve`) failed; the child exits. */
  | { readonly kind: 'failed'; readonly phase: 'load' | 'serve'; readonly message: string }
  /** The controller is listening and started. */
  | {
      readonly kind: 'serving';
      readonly appName: string;
      readonly url: string;
      readonly consoleUrl: string;
      /** The banner's part that says how the API authenticates (`API OPEN: …`). */
      readonly auth: string;
      readonly instanceId: string;
      readonly globalsId: string | undefined;
      readonly timeScale: number;
      /** Service name → type ID. */
      readonly services: Readonly<Record<string, string>>;
    };

/** Supervisor → child: stop loading-only and serve (the previous child has let the port go). */
export interface ServeCommand {
  readonly kind: 'serve';
}
