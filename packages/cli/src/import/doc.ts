/**
 * A small layout engine: the documents and the line-fitting algorithm of prettier (after Wadler's
 * "prettier printer"), reduced to what generated declarations need. The writer builds documents the
 * way prettier builds them for the same syntax, so that the files it writes are already formatted
 * as `prettier --check` wants them, without prettier at run time (it is no dependency of the CLI).
 */

export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak | Fill | BreakParent;

interface Group {
  readonly kind: 'group';
  readonly contents: Doc;
  /** Broken whatever the width: prettier's `shouldBreak`, or a hard line inside. */
  readonly break: boolean;
  /** Layouts tried in order when the flat one does not fit (prettier's `conditionalGroup`). */
  readonly expandedStates?: readonly Doc[];
  /** Names the group, so that an `ifBreak` elsewhere can follow its layout. */
  readonly id?: symbol;
}
interface Indent {
  readonly kind: 'indent';
  readonly contents: Doc;
}
interface Line {
  readonly kind: 'line';
  /** A soft line is nothing when flat; a plain line is a space. */
  readonly soft: boolean;
  readonly hard: boolean;
}
interface IfBreak {
  readonly kind: 'ifBreak';
  readonly breakContents: Doc;
  readonly flatContents: Doc;
  /** Follows that group's layout rather than the enclosing one. */
  readonly groupId?: symbol;
}
interface Fill {
  readonly kind: 'fill';
  /** Content, separator, content, …: as many contents on a line as fit. */
  readonly parts: readonly Doc[];
}
interface BreakParent {
  readonly kind: 'breakParent';
}

export const line: Doc = { kind: 'line', soft: false, hard: false };
export const softline: Doc = { kind: 'line', soft: true, hard: false };
export const hardline: Doc = [{ kind: 'line', soft: false, hard: true }, { kind: 'breakParent' }];
export const breakParent: Doc = { kind: 'breakParent' };

export function group(contents: Doc, options: { shouldBreak?: boolean; id?: symbol } = {}): Doc {
  return { kind: 'group', contents, break: options.shouldBreak === true, id: options.id };
}

/** The first state that fits wins; the last one is used when none does. */
export function conditionalGroup(states: readonly Doc[]): Doc {
  return { kind: 'group', contents: states[0] as Doc, break: false, expandedStates: states };
}

export function indent(contents: Doc): Doc {
  return { kind: 'indent', contents };
}

export function ifBreak(breakContents: Doc, flatContents: Doc = '', options: { groupId?: symbol } = {}): Doc {
  return { kind: 'ifBreak', breakContents, flatContents, groupId: options.groupId };
}

export function fill(parts: readonly Doc[]): Doc {
  return { kind: 'fill', parts };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

type Mode = 'flat' | 'break';
interface Command {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc;
}

/** Prints a document in lines of at most `width` columns where it can, indenting by two spaces. */
export function printDoc(doc: Doc, width: number): string {
  propagateBreaks(doc);
  const out: string[] = [];
  const groupModes = new Map<symbol, Mode>();
  let pos = 0;
  const cmds: Command[] = [{ indent: 0, mode: 'break', doc }];
  while (cmds.length > 0) {
    const { indent: ind, mode, doc: d } = cmds.pop() as Command;
    if (typeof d === 'string') {
      out.push(d);
      pos += textWidth(d);
    } else if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) cmds.push({ indent: ind, mode, doc: d[i] as Doc });
    } else {
      const node = d as Exclude<Doc, string | readonly Doc[]>;
      switch (node.kind) {
        case 'indent':
          cmds.push({ indent: ind + 2, mode, doc: node.contents });
          break;
        case 'group': {
          const chosen: Command =
            mode === 'flat'
              ? { indent: ind, mode: node.break ? 'break' : 'flat', doc: node.contents }
              : chooseGroupLayout(node, ind, cmds, width - pos, groupModes);
          if (node.id) groupModes.set(node.id, chosen.mode);
          cmds.push(chosen);
          break;
        }
        case 'ifBreak': {
          const decisive = node.groupId ? (groupModes.get(node.groupId) ?? 'flat') : mode;
          cmds.push({ indent: ind, mode, doc: decisive === 'break' ? node.breakContents : node.flatContents });
          break;
        }
        case 'line':
          if (mode === 'flat' && !node.hard) {
            if (!node.soft) {
              out.push(' ');
              pos += 1;
            }
          } else {
            trimTrailingSpaces(out);
            out.push('\n' + ' '.repeat(ind));
            pos = ind;
          }
          break;
        case 'fill':
          pushFill(node, ind, mode, cmds, width - pos, groupModes);
          break;
        case 'breakParent':
          break;
      }
    }
  }
  trimTrailingSpaces(out);
  return out.join('');
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1] as string;
    const trimmed = last.replace(/[ \t]+$/, '');
    if (trimmed !== '') {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}

/**
 * The columns a text takes as prettier counts them: wide East Asian characters and emoji two,
 * combining marks none.
 */
export function textWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let width = 0;
  for (const ch of text) {
    if (/\p{M}/u.test(ch)) continue;
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(
        ch,
      )
        ? 2
        : 1;
  }
  return width;
}

type GroupModes = ReadonlyMap<symbol, Mode>;

function chooseGroupLayout(
  node: Group,
  ind: number,
  rest: readonly Command[],
  room: number,
  groupModes: GroupModes,
): Command {
  const flat: Command = { indent: ind, mode: 'flat', doc: node.contents };
  if (!node.break && fits(flat, rest, room, false, groupModes)) return flat;
  const states = node.expandedStates;
  if (!states) return { indent: ind, mode: 'break', doc: node.contents };
  const mostExpanded: Command = { indent: ind, mode: 'break', doc: states[states.length - 1] as Doc };
  if (node.break) return mostExpanded;
  // As prettier does: the other states are tried flat; a group inside them that must break still breaks.
  for (let i = 1; i < states.length; i++) {
    const cmd: Command = { indent: ind, mode: 'flat', doc: states[i] as Doc };
    if (fits(cmd, rest, room, false, groupModes)) return cmd;
  }
  return mostExpanded;
}

function pushFill(node: Fill, ind: number, mode: Mode, cmds: Command[], room: number, groupModes: GroupModes): void {
  const [content, separator, second] = node.parts;
  if (content === undefined) return;
  const contentFlat: Command = { indent: ind, mode: 'flat', doc: content };
  const contentBreak: Command = { indent: ind, mode: 'break', doc: content };
  const contentFits = fits(contentFlat, [], room, true, groupModes);
  if (separator === undefined) {
    cmds.push(contentFits ? contentFlat : contentBreak);
    return;
  }
  const separatorFlat: Command = { indent: ind, mode: 'flat', doc: separator };
  const separatorBreak: Command = { indent: ind, mode: 'break', doc: separator };
  if (second === undefined) {
    if (contentFits) cmds.push(separatorFlat, contentFlat);
    else cmds.push(separatorBreak, contentBreak);
    return;
  }
  const remaining: Command = { indent: ind, mode, doc: fill(node.parts.slice(2)) };
  const bothFit = fits({ indent: ind, mode: 'flat', doc: [content, separator, second] }, [], room, true, groupModes);
  if (bothFit) cmds.push(remaining, separatorFlat, contentFlat);
  else if (contentFits) cmds.push(remaining, separatorBreak, contentFlat);
  else cmds.push(remaining, separatorBreak, contentBreak);
}

/**
 * Whether `next` fits in `room` columns: up to its first line break, and if it has none, up to
 * the first line break of what follows it (`rest`, in the modes already chosen for it).
 */
function fits(
  next: Command,
  rest: readonly Command[],
  room: number,
  mustBeFlat: boolean,
  groupModes: GroupModes,
): boolean {
  let restIndex = rest.length;
  const cmds: Array<{ mode: Mode; doc: Doc }> = [{ mode: next.mode, doc: next.doc }];
  let width = room;
  while (width >= 0) {
    const cmd = cmds.pop();
    if (cmd === undefined) {
      if (restIndex === 0) return true;
      const r = rest[--restIndex] as Command;
      cmds.push({ mode: r.mode, doc: r.doc });
      continue;
    }
    const { mode, doc } = cmd;
    if (typeof doc === 'string') {
      width -= textWidth(doc);
    } else if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) cmds.push({ mode, doc: doc[i] as Doc });
    } else {
      const node = doc as Exclude<Doc, string | readonly Doc[]>;
      switch (node.kind) {
        case 'indent':
          cmds.push({ mode, doc: node.contents });
          break;
        case 'group': {
          if (mustBeFlat && node.break) return false;
          const groupMode: Mode = node.break ? 'break' : mode;
          const contents =
            node.expandedStates && groupMode === 'break'
              ? (node.expandedStates[node.expandedStates.length - 1] as Doc)
              : node.contents;
          cmds.push({ mode: groupMode, doc: contents });
          break;
        }
        case 'ifBreak': {
          const decisive = node.groupId ? (groupModes.get(node.groupId) ?? 'flat') : mode;
          cmds.push({ mode, doc: decisive === 'break' ? node.breakContents : node.flatContents });
          break;
        }
        case 'line':
          if (mode === 'break' || node.hard) return true;
          if (!node.soft) width -= 1;
          break;
        case 'fill':
          for (let i = node.parts.length - 1; i >= 0; i--) cmds.push({ mode, doc: node.parts[i] as Doc });
          break;
        case 'breakParent':
          break;
      }
    }
  }
  return false;
}

/** Marks every group that holds a hard line (or a breakParent) as broken, as prettier does. */
function propagateBreaks(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) {
    let found = false;
    for (const d of doc as readonly Doc[]) if (propagateBreaks(d)) found = true;
    return found;
  }
  const node = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (node.kind) {
    case 'breakParent':
      return true;
    case 'line':
      return node.hard;
    case 'indent':
      return propagateBreaks(node.contents);
    case 'ifBreak':
      // prettier looks into both branches.
      return [propagateBreaks(node.breakContents), propagateBreaks(node.flatContents)].some(Boolean);
    case 'fill':
      return node.parts.map(propagateBreaks).some(Boolean);
    case 'group': {
      // A conditional group is never broken from inside: its states decide (prettier's rule).
      const inner = (node.expandedStates ?? [node.contents]).map(propagateBreaks).some(Boolean);
      if (inner && !node.expandedStates) (node as { break: boolean }).break = true;
      return node.break;
    }
  }
}
