/**
 * Shapes of the REST API (../shared/API.md), shared by the Worker and the web app.
 * Types only: no runtime code, no Workers or DOM imports. Shapes that also travel on sockets
 * (Message, Connection) are inferred from their schemas in wire.ts, never declared twice.
 */
import type { ApiErrorCode } from "./errors";

export type { Connection, Group, Message } from "./wire";

/** The signed-in person, as `/api/me`, sign-up and login return it. */
export interface User {
  id: string;
  username: string;
  createdAt: string;
  expiresAt: string;
}

/** Another person as search results show them. */
export interface UserSummary {
  id: string;
  username: string;
  online: boolean;
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export interface HealthBody {
  ok: boolean;
  store: "embedded" | "mongo";
  cache: "embedded" | "upstash";
  /** Whether each answered just now, and how long the Store took (ms). */
  answers: { store: boolean; cache: boolean; storeMs: number };
}

/** Input limits of API.md, checked on both sides. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/i;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const LIFETIME_HOURS_MIN = 1;
export const LIFETIME_HOURS_MAX = 168;
export const LIFETIME_HOURS_DEFAULT = 24;
export const HISTORY_PAGE_MAX = 100;

/** Group sizes and names (API.md, groups). */
export const GROUP_LIMITS = {
  /** Others besides the creator when a group is created. */
  othersAtCreateMin: 2,
  othersAtCreateMax: 50,
  /** Members in all, the creator included: the 52nd is refused. */
  membersMax: 51,
  nameMaxChars: 64,
} as const;
