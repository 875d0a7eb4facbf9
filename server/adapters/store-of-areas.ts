import type { Store, StoreAreas } from "../ports/store";

/**
 * One Store from an adapter's areas: each area's methods, bound to it. Areas are classes (their
 * methods live on the prototype), each implementing its own port; two areas naming the same
 * method is a mistake this refuses, so that no call silently reaches the wrong one.
 */
export function storeOfAreas(areas: StoreAreas): Store {
  const store: Record<string, unknown> = {};
  for (const area of Object.values(areas) as object[]) {
    for (const name of methodNames(area)) {
      if (name in store) throw new Error(`two Store areas define ${name}`);
      store[name] = (area as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(area);
    }
  }
  return store as unknown as Store;
}

/** Public methods of an area: its class's and its ancestors' below Object, without the constructor. */
function methodNames(area: object): string[] {
  const names = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(area);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== "constructor" && typeof descriptor?.value === "function") names.add(name);
    }
  }
  return [...names];
}
