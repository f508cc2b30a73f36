/** One dashboard figure: a label, a value that links to the rows behind it, and a line of context. */
import type { ReactNode } from 'react';
import type { Loaded } from '../api/use-api.js';
import { Link } from '../lib/router.js';
import { ErrorState } from './states.js';

export function Figure<T>(props: {
  label: string;
  value: Loaded<T>;
  to: string;
  render: (data: T) => ReactNode;
  note?: (data: T) => ReactNode;
  testId?: string;
}) {
  const { value } = props;
  return (
    <section className="figure" data-testid={props.testId}>
      <h2>{props.label}</h2>
      {value.state === 'loading' ? (
        <p className="figure-value muted" aria-busy="true">
          …
        </p>
      ) : value.state === 'error' ? (
        <ErrorState error={value.error} />
      ) : (
        <>
          <Link to={props.to} className="figure-value">
            {props.render(value.data)}
          </Link>
          {props.note ? <p className="figure-note">{props.note(value.data)}</p> : null}
        </>
      )}
    </section>
  );
}
