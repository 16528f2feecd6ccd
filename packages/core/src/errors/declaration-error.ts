/** One mistake in the declarations, located by class and member. */
export interface DeclarationProblem {
  /** The class the mistake is on. */
  readonly className: string;
  /** The property, relation or method, when the mistake is on a member. */
  readonly member?: string;
  readonly message: string;
}

/**
 * Thrown when a model is built from declarations that APS would refuse. It lists every mistake
 * found, not just the first, each as `Class.member: what is wrong`.
 */
export class DeclarationError extends Error {
  constructor(readonly problems: readonly DeclarationProblem[]) {
    super(DeclarationError.format(problems));
    this.name = 'DeclarationError';
  }

  static format(problems: readonly DeclarationProblem[]): string {
    const lines = problems.map((p) => `  - ${p.member ? `${p.className}.${p.member}` : p.className}: ${p.message}`);
    const count = problems.length === 1 ? '1 declaration mistake' : `${problems.length} declaration mistakes`;
    return `${count}:\n${lines.join('\n')}`;
  }
}
