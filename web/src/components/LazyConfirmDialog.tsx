import type { ComponentProps } from "preact";
import { confirmDialog } from "../screens";
import type { ConfirmDialog as Eager } from "./ConfirmDialog";
import { Lazy } from "./Lazy";

/** ConfirmDialog from its own chunk: a chat asks for it rarely (block, delete a request, leave a group). */
export function ConfirmDialog(props: ComponentProps<typeof Eager>) {
  return (
    <Lazy chunk={confirmDialog} fallback={null}>
      {(module) => <module.ConfirmDialog {...props} />}
    </Lazy>
  );
}
