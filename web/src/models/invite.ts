import { createModel, signal } from "@preact/signals";
import type { Connection } from "../../../protocol/api";
import { errorMessage } from "../errors";
import { ApiError, api } from "../net/api";

/** The address of an invitation on this origin. */
export function inviteUrl(token: string): string {
  return `${location.origin}/invite/${encodeURIComponent(token)}`;
}

/** "Invite someone": a fresh single-use link, made when the panel opens, and its copy to the clipboard. */
export const InviteLinkModel = createModel(() => {
  const link = signal<string | null>(null);
  const expiresAt = signal<string | null>(null);
  const error = signal<string | null>(null);
  const copied = signal(false);

  const create = async () => {
    error.value = null;
    copied.value = false;
    try {
      const { invite } = await api.createInvite();
      link.value = inviteUrl(invite.token);
      expiresAt.value = invite.expiresAt;
    } catch (failure) {
      error.value = errorMessage(failure);
    }
  };

  void create();

  return {
    link,
    expiresAt,
    error,
    copied,
    create,
    /** False when the clipboard refused: the link stays selectable in its field. */
    async copy(): Promise<boolean> {
      if (!link.value) return false;
      try {
        await navigator.clipboard.writeText(link.value);
        copied.value = true;
        return true;
      } catch {
        return false;
      }
    },
  };
});

export type InviteLink = InstanceType<typeof InviteLinkModel>;

export type InviteState =
  | { kind: "loading" }
  /** A live invitation from this person. */
  | { kind: "live"; inviter: string }
  /** Used, expired, or never made: the answer does not say which. */
  | { kind: "gone" }
  | { kind: "error"; message: string };

/** What `/invite/<token>` shows: who invited, and the one step that connects the two. */
export const InviteLandingModel = createModel((token: string) => {
  const state = signal<InviteState>({ kind: "loading" });
  const accepting = signal(false);
  const acceptError = signal<string | null>(null);

  const load = async () => {
    state.value = { kind: "loading" };
    try {
      state.value = { kind: "live", inviter: (await api.invite(token)).inviter.username };
    } catch (failure) {
      state.value =
        failure instanceof ApiError && failure.status === 404
          ? { kind: "gone" }
          : { kind: "error", message: errorMessage(failure) };
    }
  };

  void load();

  return {
    state,
    accepting,
    acceptError,
    load,
    /** Connects the signed-in person with the inviter (accepted on both sides); null when it failed. */
    async accept(): Promise<Connection | null> {
      if (accepting.value) return null;
      accepting.value = true;
      acceptError.value = null;
      try {
        return (await api.acceptInvite(token)).connection;
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 404) state.value = { kind: "gone" };
        else acceptError.value = errorMessage(failure);
        return null;
      } finally {
        accepting.value = false;
      }
    },
  };
});

export type InviteLanding = InstanceType<typeof InviteLandingModel>;
