// A text field whose value lives elsewhere (the URL): typing edits a draft, which is committed after a
// pause, on Enter or on leaving the field, so the history gets one entry per edit, not per keystroke.

import { type InputHTMLAttributes, useEffect, useRef, useState } from "react";

type DraftInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  value: string;
  onCommit: (value: string) => void;
  delayMs?: number;
};

export function DraftInput({ value, onCommit, delayMs = 600, onBlur, onKeyDown, ...rest }: DraftInputProps) {
  const [draft, setDraft] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const committed = useRef(value);

  // Follow the outside value when it changes there (back button, "clear filters").
  useEffect(() => {
    committed.current = value;
    setDraft(value);
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const commit = (next: string) => {
    clearTimeout(timer.current);
    if (next.trim() === committed.current) return;
    committed.current = next.trim();
    onCommit(next.trim());
  };

  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => {
        const next = e.target.value;
        setDraft(next);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(next), delayMs);
      }}
      onBlur={(e) => {
        commit(e.target.value);
        onBlur?.(e);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit(e.currentTarget.value);
        onKeyDown?.(e);
      }}
    />
  );
}
