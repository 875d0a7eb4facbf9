import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import type { LazyChunk } from "../screens";

export function Splash() {
  return (
    <div class="splash" role="status">
      Loading…
    </div>
  );
}

type Props<M> = {
  chunk: LazyChunk<M>;
  children: (module: M) => ComponentChildren;
  /** Shown while the chunk comes (it was usually asked for earlier); the splash unless said otherwise. */
  fallback?: ComponentChildren;
};

/** Part of the app from its chunk, with a way out when it cannot be loaded. */
export function Lazy<M>({ chunk, children, fallback = <Splash /> }: Props<M>) {
  const module = chunk.module.value;
  useEffect(() => {
    if (!module) chunk.preload();
  }, [chunk, module]);
  if (module) return <>{children(module)}</>;
  if (!chunk.failed.value) return <>{fallback}</>;
  return (
    <div class="splash" role="alert">
      <p>This part of the app could not be loaded. Check your connection.</p>
      <button class="button" type="button" onClick={() => location.reload()}>
        Reload
      </button>
    </div>
  );
}
