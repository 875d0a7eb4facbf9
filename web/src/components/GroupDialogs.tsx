// Making a group and managing its members, one chunk fetched on first use: no first page needs them.
import "../groups.css";
import { useState } from "preact/hooks";
import type { Connection, Group } from "../../../protocol/api";
import { GROUP_LIMITS } from "../../../protocol/api";
import { errorMessage } from "../errors";
import type { Chat } from "../models/chat";
import type { Connections } from "../models/connections";
import type { GroupView } from "../models/group-view";
import { groupApi } from "../net/group-api";
import { DownloadButton } from "./ChatParts";
import { CloseActions, Dialog } from "./Dialog";

type Person = { id: string; username: string };

/** Checkboxes for people, with a filter by name once there are enough of them to need one. */
function PeoplePicker(props: {
  people: Person[];
  picked: ReadonlySet<string>;
  onToggle: (id: string) => void;
  legend: string;
}) {
  const { people, picked, onToggle, legend } = props;
  const [filter, setFilter] = useState("");
  const query = filter.trim().toLowerCase();
  const shown = query ? people.filter((person) => person.username.includes(query)) : people;
  return (
    <fieldset class="picker">
      <legend class="picker__legend">
        {legend} <span class="picker__count">({picked.size} selected)</span>
      </legend>
      {people.length > 6 && (
        <>
          <label class="sr-only" for="picker-filter">
            Filter contacts by name
          </label>
          <input
            id="picker-filter"
            class="search-input"
            type="search"
            placeholder="Filter by name"
            autoComplete="off"
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </>
      )}
      <ul class="picker__list">
        {shown.map((person) => (
          <li key={person.id}>
            <label class="picker__item">
              <input type="checkbox" checked={picked.has(person.id)} onChange={() => onToggle(person.id)} />
              <bdi>{person.username}</bdi>
            </label>
          </li>
        ))}
        {shown.length === 0 && <li class="picker__none">Nobody by that name.</li>}
      </ul>
    </fieldset>
  );
}

function usePicked(): [ReadonlySet<string>, (id: string) => void, () => void] {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  return [picked, toggle, () => setPicked(new Set())];
}

/** What is wrong with a group's name, in words; null when it will do. */
function nameProblem(name: string): string | null {
  if (!name.trim()) return "Give the group a name.";
  if (name.trim().length > GROUP_LIMITS.nameMaxChars)
    return `A group's name holds at most ${GROUP_LIMITS.nameMaxChars} characters.`;
  return null;
}

type NewGroupProps = {
  contacts: Connection[];
  onCreated: (group: Group) => void;
  onClose: () => void;
};

/** "New group": a name and 2 to 50 contacts; the person is its first admin. */
export function NewGroupDialog({ contacts, onCreated, onClose }: NewGroupProps) {
  const [name, setName] = useState("");
  const [picked, toggle] = usePicked();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { othersAtCreateMin: min, othersAtCreateMax: max } = GROUP_LIMITS;

  const submit = async (event: Event) => {
    event.preventDefault();
    const problem =
      nameProblem(name) ??
      (picked.size < min
        ? `Pick at least ${min} contacts.`
        : picked.size > max
          ? `A group starts with at most ${max} contacts.`
          : null);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      onCreated((await groupApi.create(name.trim(), [...picked])).group);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  const people = contacts.map((contact) => contact.user);
  return (
    <Dialog title="New group" describedBy="new-group-text" onClose={onClose}>
      <form class="group-form" onSubmit={(event) => void submit(event)} noValidate>
        <p id="new-group-text" class="group-form__text">
          Pick {min} to {max} of your contacts. You can add more, remove people and rename the group later.
        </p>
        <label class="group-form__label" for="group-name">
          Group name
        </label>
        <input
          id="group-name"
          class="search-input"
          autoFocus
          autoComplete="off"
          maxLength={GROUP_LIMITS.nameMaxChars}
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <PeoplePicker
          people={people}
          picked={picked}
          onToggle={(id) => {
            toggle(id);
            setError(null);
          }}
          legend="Members"
        />
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog__actions">
          <button class="button" type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="button button--primary" type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create group"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type MembersProps = {
  chat: Chat;
  view: GroupView;
  groupId: string;
  me: string;
  groups: Connections["groups"];
  /** The person's accepted contacts: those not in the group can be added by an admin. */
  contacts: Connection[];
  onClose: () => void;
};

/** Who is in the group, online or not, and its admins; admins add, remove, promote and rename. */
export function MembersDialog({ chat, view, groupId, me, groups, contacts, onClose }: MembersProps) {
  const members = chat.members.value;
  const admins = view.admins.value;
  const isAdmin = view.isAdmin.value;
  const createdBy = chat.group.value?.createdBy;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  /** Runs one change; its failure is shown in words and the dialog stays. */
  const act = async (key: string, change: () => Promise<{ group: Group } | undefined>): Promise<boolean> => {
    setBusy(key);
    setError(null);
    try {
      const answer = await change();
      if (answer) groups.upsert(answer.group);
      return true;
    } catch (failure) {
      setError(errorMessage(failure));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const sorted = [...members].sort(
    (a, b) => Number(b.id === me) - Number(a.id === me) || Number(b.online) - Number(a.online),
  );
  const online = members.filter((member) => member.online).length;
  return (
    <Dialog title="Members" describedBy="members-count" onClose={onClose}>
      <p id="members-count" class="group-form__text">
        {members.length} in <bdi>{view.groupName.value}</bdi>, {online} online.
      </p>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      {isAdmin && (
        <Rename current={view.groupName.value} rename={(name) => act("rename", () => groupApi.rename(groupId, name))} />
      )}
      <ul class="people members">
        {sorted.map((member) => {
          const admin = admins.includes(member.id);
          const removable = isAdmin && member.id !== me && (member.id !== createdBy || createdBy === me);
          return (
            <li key={member.id} class="person member">
              <span class="member__who">
                <span class={member.online ? "dot dot--online" : "dot"} aria-hidden="true" />
                <bdi class="person__name">{member.username}</bdi>
                {member.id === me && <span class="member__you">(you)</span>}
                <span class="sr-only">, {member.online ? "online" : "offline"}</span>
                {admin && <span class="tag tag--admin">Admin</span>}
              </span>
              {isAdmin && member.id !== me && (
                <span class="member__actions">
                  {!admin && (
                    <button
                      class="button button--small"
                      type="button"
                      disabled={busy !== null}
                      aria-label={`Make admin: ${member.username}`}
                      onClick={() => void act(`admin-${member.id}`, () => groupApi.makeAdmin(groupId, member.id))}
                    >
                      Make admin
                    </button>
                  )}
                  {removable && (
                    <button
                      class="button button--small button--danger"
                      type="button"
                      disabled={busy !== null}
                      aria-label={`Remove ${member.username}`}
                      onClick={() => void act(`remove-${member.id}`, () => groupApi.removeMember(groupId, member.id))}
                    >
                      {busy === `remove-${member.id}` ? "Removing…" : "Remove"}
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {isAdmin && (
        <AddPeople
          candidates={contacts
            .map((contact) => contact.user)
            .filter((person) => !members.some((member) => member.id === person.id))}
          room={GROUP_LIMITS.membersMax - members.length}
          add={(ids) => act("add", () => groupApi.addMembers(groupId, ids))}
        />
      )}
      <p class="members__download">
        <DownloadButton chat={chat} labelled />
      </p>
      <CloseActions onClose={onClose} />
    </Dialog>
  );
}

function Rename({ current, rename }: { current: string; rename: (name: string) => Promise<boolean> }) {
  const [name, setName] = useState(current);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="rename"
      onSubmit={(event) => {
        event.preventDefault();
        const found = nameProblem(name);
        setProblem(found);
        if (!found && name.trim() !== current) void rename(name.trim());
      }}
      noValidate
    >
      <label class="group-form__label" for="rename-group">
        Group name
      </label>
      <div class="rename__row">
        <input
          id="rename-group"
          class="search-input"
          autoComplete="off"
          maxLength={GROUP_LIMITS.nameMaxChars}
          value={name}
          aria-invalid={problem !== null}
          aria-describedby={problem ? "rename-problem" : undefined}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <button class="button" type="submit">
          Rename
        </button>
      </div>
      {problem && (
        <p id="rename-problem" class="form__error">
          {problem}
        </p>
      )}
    </form>
  );
}

function AddPeople(props: { candidates: Person[]; room: number; add: (ids: string[]) => Promise<boolean> }) {
  const { candidates, room, add } = props;
  const [picked, toggle, reset] = usePicked();
  const [problem, setProblem] = useState<string | null>(null);
  if (candidates.length === 0) return <p class="group-form__text">All your contacts are in this group.</p>;
  return (
    <form
      class="add-people"
      onSubmit={(event) => {
        event.preventDefault();
        const found =
          picked.size === 0
            ? "Pick someone to add."
            : picked.size > room
              ? `The group has room for ${room} more.`
              : null;
        setProblem(found);
        if (found) return;
        void add([...picked]).then((done) => done && reset());
      }}
    >
      <PeoplePicker people={candidates} picked={picked} onToggle={toggle} legend="Add contacts" />
      {problem && (
        <p class="form__error" role="alert">
          {problem}
        </p>
      )}
      <button class="button button--primary button--small" type="submit">
        Add to group
      </button>
    </form>
  );
}
