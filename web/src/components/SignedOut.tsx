// The signed-out screens, one chunk with their own styles: a signed-in first page loads none of it.
import "../auth.css";

export { InviteScreen } from "./InviteScreen";
export { Login } from "./Login";
export { SignUp } from "./SignUp";
