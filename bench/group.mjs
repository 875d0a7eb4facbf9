// The group scenario of `npm run bench` (issue 21): one group of 50 people, each sending one
// message every 5 s for 60 s (quick: 15 s), against the baseline object relaying to 50 sockets
// in the same run. The figure is delivery to the LAST member: per message, the latest arrival
// over the 49 other sockets, then p50/p99 of that. Traffic goes to 127.0.0.1 only.
import {
  baselineSocket,
  closeAll,
  connectPair,
  Ledger,
  mapLimit,
  pace,
  projectSocket,
  signUp,
  sleep,
} from "./lib/client.mjs";

export const GROUP_SIZE = 50;
const EVERY_SECONDS = 5;
const DRAIN_MS = 5_000;

/**
 * Signs up GROUP_SIZE people, makes the first a contact of each other one (a group holds only
 * the creator's contacts), and creates the group through POST /api/groups: the people and its id.
 */
export async function makeGroup(origin, prefix, size = GROUP_SIZE) {
  const people = await mapLimit(
    Array.from({ length: size }, (_, i) => `${prefix}${i}`),
    4,
    (name) => signUp(origin, name),
  );
  const [creator, ...others] = people;
  // Each asks the creator, who accepts: one request per person stays inside the per-user limit.
  await mapLimit(others, 4, (other) => connectPair(origin, other, creator));
  const response = await fetch(`${origin}/api/groups`, {
    method: "POST",
    headers: {
      Origin: origin,
      Cookie: creator.cookie,
      "Content-Type": "application/json",
      "CF-Connecting-IP": creator.ip,
    },
    body: JSON.stringify({ name: "bench group", memberIds: others.map((person) => person.user.id) }),
  });
  if (response.status !== 201) throw new Error(`create group: ${response.status} ${await response.text()}`);
  const { group } = await response.json();
  return { people, groupId: group.id };
}

/**
 * Opens one socket per member with `open(index, handler)`, paces one send per member every
 * EVERY_SECONDS for `seconds`, drains, closes. Delivery statistics to every member and to the last.
 */
export async function groupTraffic(size, open, seconds) {
  const ledger = new Ledger();
  const sockets = [];
  const senders = await mapLimit(
    Array.from({ length: size }, (_, i) => i),
    8,
    async (index) => {
      const key = `m${index}`;
      const ws = await open(index, ledger.handler(key));
      sockets.push(ws);
      return { ws, key, tag: key, watchers: size - 1 };
    },
  );
  // Every socket is open (the project's hello and presence frames arrive first): then the clock starts.
  await sleep(500);
  await pace(ledger, senders, 1 / EVERY_SECONDS, seconds);
  await ledger.drain(DRAIN_MS);
  closeAll(sockets);
  await sleep(1000);
  return { ...ledger.summary(), toLast: lastArrivals(ledger) };
}

/** Per message delivered to every watcher: when the last one got it. */
function lastArrivals(ledger) {
  const latest = [];
  let incomplete = 0;
  for (const entry of ledger.sent.values()) {
    if (entry.refused) continue;
    if (entry.arrivals.length < entry.watchers) {
      incomplete += 1;
      continue;
    }
    latest.push(Math.max(...entry.arrivals));
  }
  latest.sort((a, b) => a - b);
  const at = (q) =>
    latest.length === 0 ? null : latest[Math.min(latest.length - 1, Math.ceil(q * latest.length) - 1)];
  return { messages: latest.length, incomplete, p50: at(0.5), p99: at(0.99) };
}

/** The scenario: the baseline's 50 sockets in one room and the project's group of 50, one after the other. */
export async function groupScenario({ baseline, project, seconds }) {
  const { people, groupId } = await makeGroup(project.url, "g50_");
  const result = { size: GROUP_SIZE, everySeconds: EVERY_SECONDS, seconds };
  result.baseline = await groupTraffic(
    GROUP_SIZE,
    (index, handler) => baselineSocket(baseline.url, "group-50", `m${index}`, handler),
    seconds,
  );
  result.project = await groupTraffic(
    GROUP_SIZE,
    (index, handler) => projectSocket(project.url, people[index], groupId, handler),
    seconds,
  );
  const ratio = (p, b) => (p === null || b === null || b === 0 ? null : Number((p / b).toFixed(2)));
  result.ratioToLastP50 = ratio(result.project.toLast.p50, result.baseline.toLast.p50);
  result.ratioToLastP99 = ratio(result.project.toLast.p99, result.baseline.toLast.p99);
  return result;
}
