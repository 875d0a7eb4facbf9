import { useEffect } from "preact/hooks";
import type { Notifications } from "../models/notifications";
import type { OutboxStore } from "../models/outbox-store";
import { navigate, route } from "../models/route";
import type { Session } from "../models/session";
import { signedInScreens, signedOutScreens } from "../screens";
import { Lazy, Splash } from "./Lazy";

type Props = { session: Session; notifications: Notifications; outboxStore: OutboxStore };

/** Picks the screen from the session and the address bar; each side of the app is its own chunk. */
export function App({ session, notifications, outboxStore }: Props) {
  const status = session.status.value;
  const user = session.user.value;
  const current = route.value;

  useEffect(() => {
    if (status === "signed-in" && current.name !== "home" && current.name !== "invite") {
      navigate("/", { replace: true });
    }
  }, [status, current.name]);

  if (status === "loading") return <Splash />;
  // An invitation is answered signed in or not: it stays on its page through signing up.
  if (current.name === "invite") {
    return (
      <Lazy chunk={signedOutScreens}>
        {(screens) => (
          <screens.InviteScreen key={current.token} token={current.token} login={current.login} session={session} />
        )}
      </Lazy>
    );
  }
  // The signed-in screen gets its user as a prop: below here nobody asks whether there is one.
  if (status === "signed-in" && user) {
    return (
      <Lazy chunk={signedInScreens}>
        {(screens) => (
          <screens.ChatScreen
            key={user.id}
            user={user}
            session={session}
            notifications={notifications}
            outboxStore={outboxStore}
          />
        )}
      </Lazy>
    );
  }
  return (
    <Lazy chunk={signedOutScreens}>
      {(screens) =>
        current.name === "signup" ? <screens.SignUp session={session} /> : <screens.Login session={session} />
      }
    </Lazy>
  );
}
