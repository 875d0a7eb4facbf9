import { MongoClient, type MongoClientOptions } from "mongodb";

/** Connections one client opens to the primary at most; the README multiplies it by the hosts. */
export const MONGO_MAX_POOL_SIZE = 5;

/**
 * Client options for a long-lived client held by a Durable Object: a small pool, and short
 * timeouts so that an unreachable cluster answers `unavailable` in seconds, not after 30 s.
 */
export function mongoClientOptions(): MongoClientOptions {
  return {
    maxPoolSize: MONGO_MAX_POOL_SIZE,
    minPoolSize: 0,
    serverSelectionTimeoutMS: 2_500,
    connectTimeoutMS: 2_500,
    socketTimeoutMS: 10_000,
    maxIdleTimeMS: 60_000,
    appName: "edge-chat",
  };
}

export const createMongoClient = (uri: string) => new MongoClient(uri, mongoClientOptions());
