import { render } from "preact";
import { App } from "./components/App";
import { NotificationsModel } from "./models/notifications";
import { browserStorage, OutboxStore } from "./models/outbox-store";
import { SESSION_HINT_KEY, SessionModel } from "./models/session";
import { chatWindow, listScreen, signedInScreens, signedOutScreens } from "./screens";
import "./styles.css";

const storage = browserStorage();
// The screen this page most likely shows is fetched alongside the session check, not after it.
if (storage.getItem(SESSION_HINT_KEY) === null || location.pathname.startsWith("/invite/")) signedOutScreens.preload();
else {
  signedInScreens.preload();
  // A direct link to a chat paints the chat first; the list follows once it is on screen (ChatScreen).
  if (location.pathname.startsWith("/c/")) chatWindow.preload();
  else listScreen.preload();
}

const outboxStore = new OutboxStore(storage);
const session = new SessionModel(outboxStore, storage);
const notifications = new NotificationsModel();
void session.load();

render(
  <App session={session} notifications={notifications} outboxStore={outboxStore} />,
  document.getElementById("app")!,
);
