import { render } from "preact";
import { App } from "./components/App";
import { NotificationsModel } from "./models/notifications";
import { SessionModel } from "./models/session";
import "./styles.css";

const session = new SessionModel();
const notifications = new NotificationsModel();
void session.load();

render(<App session={session} notifications={notifications} />, document.getElementById("app")!);
