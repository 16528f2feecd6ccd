/**
 * Acme Notes' account directory, which the provisioner must respect: an administrator email belongs
 * to one account only. In a real provisioner this is the vendor's own backend; here it is memory,
 * seeded with an account that already exists, so that the validation-failure scenario has something
 * to fail on.
 */
export class AccountDirectory {
  private readonly emails: Set<string>;

  constructor(existing: readonly string[] = []) {
    this.emails = new Set(existing.map((e) => e.toLowerCase()));
  }

  isInUse(email: string): boolean {
    return this.emails.has(email.toLowerCase());
  }

  /** Claims an email for a new account; false if another account has it. */
  claim(email: string): boolean {
    if (this.isInUse(email)) return false;
    this.emails.add(email.toLowerCase());
    return true;
  }

  release(email: string): void {
    this.emails.delete(email.toLowerCase());
  }
}

/** The accounts Acme Notes already has. */
export const accounts = new AccountDirectory(['it@fabrikam.example']);
