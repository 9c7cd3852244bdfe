// A modal dialog on the native <dialog>: focus trapping, Escape and the backdrop come from the browser.

import { type ReactNode, useEffect, useId, useRef } from "react";

type ModalProps = { title: string; onClose: () => void; children: ReactNode; testId?: string };

export function Modal({ title, onClose, children, testId }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="modal" aria-labelledby={titleId} onClose={onClose} data-testid={testId}>
      <header className="modal-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button button-quiet" aria-label="Close" onClick={onClose}>
          ✕
        </button>
      </header>
      {children}
    </dialog>
  );
}
