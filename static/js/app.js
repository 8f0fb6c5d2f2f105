// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A form that carries a form key is sent once: a second click does nothing and the button greys out.
// The server refuses a replayed key anyway (core.idempotency); this only spares the user the message.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.querySelector('input[name="form_key"]')) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  const button = event.submitter;
  // Disabled after the form's data is taken, so that the button's own name and value are still sent.
  window.setTimeout(() => {
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach((b) => {
      b.disabled = true;
    });
    if (button) button.setAttribute("aria-busy", "true");
  }, 0);
});

// A page shown again from the back-forward cache gets its buttons back.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button[disabled], input[type=submit][disabled]").forEach((b) => {
      b.disabled = false;
    });
  });
});
