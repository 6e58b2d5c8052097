// What the live socket calls on the app when the hub refuses the token. Its own module, so main.ts can
// wire it without pulling socket.io-client into the first page a visitor loads (the sign-in page).
interface LiveHooks {
  /** The server refused the token: end the session (wired in main.ts, like the HTTP layer's 401). */
  onUnauthorized: (token: string) => void;
}

export const liveHooks: LiveHooks = { onUnauthorized: () => {} };

export function configureLiveSocket(next: LiveHooks): void {
  liveHooks.onUnauthorized = next.onUnauthorized;
}
