/** Shared helpers for the model tests: build a model and get its problems, or a type's schema. */
import { buildTypeModel, DeclarationError, toApsSchema, type Class, type DeclarationProblem } from '@apskit/core';

/** The problems `buildTypeModel(classes)` reports; fails the test when the model builds. */
export function problemsOf(classes: Class[]): readonly DeclarationProblem[] {
  let error: unknown;
  try {
    buildTypeModel(classes);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error('expected buildTypeModel to throw a DeclarationError, but it built');
  if (!(error instanceof DeclarationError)) throw error;
  return error.problems;
}

/** The thrown DeclarationError itself, for tests of its message. */
export function declarationErrorOf(classes: Class[]): DeclarationError {
  try {
    buildTypeModel(classes);
  } catch (e) {
    if (e instanceof DeclarationError) return e;
    throw e;
  }
  throw new Error('expected buildTypeModel to throw a DeclarationError, but it built');
}

/** A matcher for one problem: the class, the member (undefined for the class itself) and the message. */
export function problem(className: string, member: string | undefined, message: RegExp): object {
  return { className, member, message: expect.stringMatching(message) };
}

/** The schema a single type emits, as a plain JSON value (what `JSON.stringify` publishes). */
export function schemaJson(cls: Class): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toApsSchema(cls))) as Record<string, unknown>;
}
