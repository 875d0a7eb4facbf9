import type { ComponentChildren } from "preact";
import { navigate } from "../models/route";

type LinkProps = { href: string; class?: string; children: ComponentChildren; "aria-current"?: "page" | undefined };

/** An ordinary link that changes screens without reloading the page. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
