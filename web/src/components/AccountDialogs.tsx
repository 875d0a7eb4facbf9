// The dialogs of the rail, one chunk fetched on first use: no first page needs them.
export { BlockedDialog } from "./BlockedDialog";
export { DeleteAccountDialog } from "./DeleteAccountDialog";
export { InviteDialog } from "./InviteDialog";
