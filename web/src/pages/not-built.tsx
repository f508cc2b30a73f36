/** A section the console does not have yet: says so plainly (no placeholder data), and what it will hold. */
import type { Section } from '../sections.js';

export function NotBuilt({ section }: { section: Section }) {
  return (
    <>
      <h1>{section.label}</h1>
      <div className="state not-built" role="note">
        <strong>Not built yet.</strong>
        <p>{section.plan}</p>
        <p className="muted">
          Until then the data is available from the JSON API: see the <a href="/docs">API reference</a>.
        </p>
      </div>
    </>
  );
}

export function NotFound({ path }: { path: string }) {
  return (
    <>
      <h1>Page not found</h1>
      <div className="state error" role="alert">
        <strong>There is no console page at {path}.</strong>
      </div>
    </>
  );
}
