/**
 * The impact of an offboarding step, for people: a text block per account (the program logs it),
 * a markdown table for the pull request, and the same facts as plain data for a stack output.
 */
import { isUnknown, listTitles, type Fact, type Impact, type ImpactAction, type PersonRef, type RoomsOwned } from "./impact";

/** GitHub's limit on one comment. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** 1.2 GB, 512 KB, 0 B (binary multiples, as DocSpace shows storage). */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "an unknown amount";
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = value < 10 ? value.toFixed(1) : String(Math.round(value));
  // 1023.6 KB rounds to "1024 KB": say "1.0 MB" instead.
  if (text === "1024" && unit < units.length - 1) return `1.0 ${units[unit + 1]}`;
  return `${text} ${units[unit]}`;
}

function unknownText(f: { unknown: string }): string {
  return `unknown (${f.unknown})`;
}

function person(p: PersonRef): string {
  return p.email && p.email !== p.name ? `${p.name} <${p.email}>` : p.name;
}

const ACTION_HEADLINE: Record<ImpactAction, (i: Impact) => string> = {
  remove: (i) =>
    i.successor
      ? `transfer to ${person(i.successor)}, then delete the profile`
      : `remove: rooms and shared items go to ${person(i.roomsGoTo)}, the rest of the personal documents and the profile are deleted`,
  transfer: (i) => `transfer to ${person(i.successor ?? i.roomsGoTo)}, keeping the disabled profile`,
  disable: () => "disable only: signed out everywhere, data untouched",
};

const KIND_LABEL: Record<Impact["account"]["kind"], string> = { DocSpaceAdmin: "DocSpace admin", RoomAdmin: "room admin", User: "user", Guest: "guest" };

function accountLine(i: Impact): string {
  const a = i.account;
  const kind = a.isOwner ? "portal owner" : KIND_LABEL[a.kind];
  // The consequence of SSO or LDAP is a warning (impact.ts), for a profile that goes.
  const signIn = a.signIn === "standard" ? "signs in with a DocSpace password" : `signs in through ${a.signIn}`;
  const status =
    a.status === "disabled"
      ? `disabled${a.disabledSince ? ` (DocSpace's terminated date ${day(a.disabledSince)}, which may be older than this disable)` : ""}`
      : a.status === "invited"
        ? "invited, never accepted the invitation"
        : `active${a.registeredAt ? ` (registered ${day(a.registeredAt)})` : ""}`;
  return `${kind}, ${signIn}; ${status}`;
}

/** The date part of an ApiDateTime ("2026-01-02T10:11:12.0000000+03:00"). */
function day(apiDate: string): string {
  const m = /^\d{4}-\d\d-\d\d/.exec(apiDate);
  return m ? m[0] : apiDate;
}

/** How a room count was made, when not by DocSpace's own owner filter; "" when it was. */
function roomsBasis(r: RoomsOwned): string {
  const c = r.countedFromCreatedBy;
  const read = (n: number, listed: number | undefined): string => (listed === undefined ? `${n} rooms read` : `${n} of ${listed} rooms read`);
  if (c) return ` (counted from createdBy: this portal ignores subjectOwnerId, as DocSpace before 3.7 does${r.atLeast ? `; ${read(c.read, c.listed)}` : ""})`;
  return r.atLeast ? " (the portal gave no total; more not read)" : "";
}

function roomsLine(i: Impact): string {
  const r = i.rooms;
  const after = i.action === "disable" ? "stay with the disabled account" : `owned afterwards by ${person(i.roomsGoTo)}`;
  const any = i.action === "disable" ? "stay with the disabled account" : `go to ${person(i.roomsGoTo)}`;
  if (isUnknown(r)) return `${unknownText(r)}; any ${any}`;
  if (r.total === 0) return r.atLeast ? `unknown, none among the rooms read; any ${any}${roomsBasis(r)}` : `none${roomsBasis(r)}`;
  return `${r.atLeast ? "at least " : ""}${r.total} (${listTitles(r.titles, r.total)}) → ${after}${roomsBasis(r)}`;
}

/**
 * "up to 1.5 GB": usedSpace counts My documents and its trash with the shared items in it, and
 * those move instead of being deleted. Empty when the size is unknown.
 */
function upTo(b: Fact<number>): string {
  if (isUnknown(b)) return "";
  return b === 0 ? ", 0 B" : `, up to ${humanBytes(b)}`;
}

function personalLine(i: Impact): string {
  const b = i.personalData.bytes;
  const size = isUnknown(b) ? `size ${unknownText(b)}` : humanBytes(b);
  const to = person(i.sharedItemsGoTo ?? i.roomsGoTo);
  const moved = `the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${to}`;
  switch (i.personalData.fate) {
    case "shared-moved-rest-deleted":
      return i.successor
        ? `${size} → only ${moved}; everything else in My documents and its trash is deleted with the profile${upTo(b)} (a transfer does not save personal documents)`
        : `${size} → ${moved}; everything else in My documents and its trash is deleted with the profile${upTo(b)}`;
    case "shared-moved-rest-kept":
      return `${size} → ${moved}; the rest (My documents and its trash) stays with the disabled profile, nothing is deleted`;
    case "untouched":
      return `${size} → untouched`;
  }
}

function groupsLine(i: Impact): string {
  const g = i.managedGroups;
  if (isUnknown(g)) return unknownText(g);
  if (g.length === 0) return "none";
  const names = listTitles(g.map((x) => x.name), g.length);
  return i.action === "remove" ? `${names} → left without a manager` : `${names} → still managed by this disabled account`;
}

function factText<T>(f: Fact<T>, known: (v: T) => string): string {
  return isUnknown(f) ? unknownText(f) : known(f);
}

/** A handful of plain-text lines about one account, for a terminal and a pull-request comment. */
export function renderImpactBlock(impact: Impact): string {
  const lines = [
    `${person({ name: impact.account.name, email: impact.account.email })}: ${ACTION_HEADLINE[impact.action](impact)}`,
    `  Account: ${accountLine(impact)}`,
    `  Rooms owned: ${roomsLine(impact)}`,
    `  Personal documents: ${personalLine(impact)}`,
  ];
  if (impact.ownsOrJoinsRooms !== undefined) {
    // What reassign/necessary answers, and nothing more (impact.ts, ownsOrJoinsRooms).
    const label = impact.account.kind === "Guest" ? "Owns or joins rooms, or shares items" : "Owns or joins rooms";
    lines.push(`  ${label}: ${factText(impact.ownsOrJoinsRooms, (v) => `${v ? "yes" : "no"} (reassign/necessary)`)}`);
  }
  lines.push(`  Groups managed: ${groupsLine(impact)}`);
  lines.push(`  Invitations they sent, never accepted: ${factText(impact.pendingInvitationsSent, String)}`);
  for (const w of impact.warnings) lines.push(`  Warning: ${w}`);
  return lines.map(oneLine).join("\n");
}

/**
 * The reads already make portal text one line (boundLine); this keeps an Impact built elsewhere
 * from adding lines or closing the ``` fence the block is posted in.
 */
function oneLine(line: string): string {
  return line.replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, " ").replace(/`{3,}/g, (run) => "'".repeat(run.length));
}

// ---- ordering ----------------------------------------------------------------------------

/** Bytes a step deletes, at most (the shared items are counted in usedSpace but move); unknown counts as 0. */
export function bytesDeleted(i: Impact): number {
  const b = i.personalData.bytes;
  if (isUnknown(b)) return 0;
  return i.personalData.fate === "shared-moved-rest-deleted" ? b : 0;
}

function roomsMoved(i: Impact): number {
  return i.action === "disable" || isUnknown(i.rooms) ? 0 : i.rooms.total;
}

/** Larger first: bytes deleted, then rooms changing owner, then warnings. */
export function compareImpactSize(a: Impact, b: Impact): number {
  return bytesDeleted(b) - bytesDeleted(a) || roomsMoved(b) - roomsMoved(a) || b.warnings.length - a.warnings.length;
}

// ---- markdown ----------------------------------------------------------------------------

const CELL_MAX = 600;

/**
 * Text for one table cell: no line breaks, `|` escaped, no HTML, no @mentions (a room title such as
 * "@org/team" would notify people), bounded.
 */
export function escapeCell(text: string, max = CELL_MAX): string {
  let t = text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, " ")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(^|[^\w.+-])@(?=\w)/g, "$1@\u200b");
  if (t.length > max) {
    t = t.slice(0, max - 1);
    // Never end a cell on a lone escape character.
    if (/(^|[^\\])(\\\\)*\\$/.test(t)) t = t.slice(0, -1);
    t += "…";
  }
  return t;
}

const actionCell = (i: Impact): string => (i.action === "remove" ? (i.successor ? "transfer, remove" : "remove") : i.action === "transfer" ? "transfer, keep profile" : "disable");

/** "at least 3 (by createdBy)": the count as the summary's cell gives it. */
function roomCount(r: RoomsOwned): string {
  return `${r.atLeast ? "at least " : ""}${r.total}${r.countedFromCreatedBy ? " (by createdBy)" : ""}`;
}

/** The "Rooms → new owner" cell. */
function summaryRooms(i: Impact): string {
  const r = i.rooms;
  const to = i.action === "disable" ? "unchanged" : i.roomsGoTo.name;
  if (isUnknown(r)) return `${unknownText(r)} → ${to}`;
  if (r.total === 0 && !r.atLeast) return `none${r.countedFromCreatedBy ? " (by createdBy)" : ""}`;
  if (r.total === 0) return `unknown (none among the ${r.countedFromCreatedBy?.read ?? "rooms"} read) → ${to}`;
  return i.action === "disable" ? `${roomCount(r)} (unchanged)` : `${roomCount(r)} → ${to}`;
}

function summaryRow(i: Impact): string {
  const roomsCell = summaryRooms(i);
  const b = i.personalData.bytes;
  const deleted =
    i.personalData.fate !== "shared-moved-rest-deleted"
      ? "none"
      : `${isUnknown(b) ? unknownText(b) : b === 0 ? "0 B" : `up to ${humanBytes(b)}`}, all but shared items`;
  // "any": whether they shared anything is not read.
  const moved = i.sharedItemsGoTo ? `any → ${i.sharedItemsGoTo.name}` : "none";
  const account = i.account.email ? `${i.account.email} (${i.account.name})` : i.account.name;
  const cells = [account, actionCell(i), roomsCell, deleted, moved, i.warnings.length === 0 ? "" : i.warnings.join(" ")];
  return `| ${cells.map((c) => escapeCell(c)).join(" | ")} |`;
}

/**
 * A markdown table of every account's impact, at most GITHUB_COMMENT_LIMIT characters. When all
 * rows do not fit, the largest impacts come first and a last line counts the rest.
 */
export function renderImpactSummary(impacts: Impact[], opts: { title?: string } = {}): string {
  const title = `### ${escapeCell(opts.title ?? "Offboarding impact", 200)}`;
  const header = [
    "| Account | Action | Rooms → new owner | Personal data deleted | Shared items moved | Warnings |",
    "|---|---|---|---|---|---|",
  ].join("\n");
  if (impacts.length === 0) return `${title}\n\nNo account would be removed or transferred.\n`;
  const head = `${title}\n\n${header}\n`;
  const rows = impacts.map(summaryRow);
  const all = head + rows.map((r) => `${r}\n`).join("");
  if (all.length <= GITHUB_COMMENT_LIMIT) return all;

  const order = impacts.map((impact, index) => ({ impact, index })).sort((a, b) => compareImpactSize(a.impact, b.impact) || a.index - b.index);
  const footer = (n: number): string => `\n… and ${n} more account${n === 1 ? "" : "s"} with smaller impacts (not shown: the summary is limited to ${GITHUB_COMMENT_LIMIT} characters).\n`;
  let out = head;
  let shown = 0;
  for (const { index } of order) {
    const row = `${rows[index]}\n`;
    // Room for this row and the longest footer that could follow it.
    if (out.length + row.length + footer(impacts.length).length > GITHUB_COMMENT_LIMIT) break;
    out += row;
    shown++;
  }
  return out + footer(impacts.length - shown);
}

// ---- stack output ------------------------------------------------------------------------

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function ref(p: PersonRef): Json {
  return clean({ id: p.id, name: p.name, email: p.email });
}

function fact<T>(f: Fact<T>, known: (v: T) => Json): Json {
  return isUnknown(f) ? { unknown: f.unknown } : known(f);
}

function clean(o: Record<string, Json | undefined>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The same facts as JSON-safe data for a stack output (there is nothing secret in an impact). */
export function impactAsOutput(i: Impact): { [key: string]: Json } {
  const b = i.personalData.bytes;
  return clean({
    account: clean({ ...i.account }),
    action: i.action,
    rooms: fact(i.rooms, (r) =>
      clean({
        total: r.total,
        titles: r.titles,
        atLeast: r.atLeast,
        countedFromCreatedBy: r.countedFromCreatedBy ? clean({ read: r.countedFromCreatedBy.read, listed: r.countedFromCreatedBy.listed }) : undefined,
      }),
    ),
    roomsGoTo: ref(i.roomsGoTo),
    personalData: clean({
      bytes: fact(b, (v) => v),
      human: isUnknown(b) ? undefined : humanBytes(b),
      fate: i.personalData.fate,
    }),
    sharedItemsGoTo: i.sharedItemsGoTo ? ref(i.sharedItemsGoTo) : undefined,
    successor: i.successor ? ref(i.successor) : undefined,
    ownsOrJoinsRooms: i.ownsOrJoinsRooms === undefined ? undefined : fact(i.ownsOrJoinsRooms, (v) => v),
    managedGroups: fact(i.managedGroups, (g) => g.map((x) => ({ id: x.id, name: x.name }))),
    pendingInvitationsSent: fact(i.pendingInvitationsSent, (n) => n),
    warnings: [...i.warnings],
  });
}
