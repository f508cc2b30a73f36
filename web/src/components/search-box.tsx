/** A search field bound to the URL's `q` parameter; it commits on submit (Enter) so each search is one request. */
import { useEffect, useState, type FormEvent } from 'react';
import { setQuery } from '../lib/router.js';

export function SearchBox({ value, label }: { value: string; label: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ q: text.trim(), page: undefined });
  };
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor="search-q" className="visually-hidden">
        {label}
      </label>
      <input
        id="search-q"
        type="search"
        placeholder={label}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}
