import type { ComponentChildren } from "preact";
import { ChatIcon } from "./icons";

/** The frame of the login and sign-up screens. */
export function AuthLayout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="auth">
      <div class="auth__card">
        <p class="auth__brand">
          <ChatIcon />
          <span>Chat</span>
        </p>
        <h1 class="auth__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}
