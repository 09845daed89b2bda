/*
 * The page's own Send, for the fixture pages: a click on the Send control, Enter or Space on it
 * when it is not a native button (a div[role=button] handles its keys itself), and, where the
 * webmail has the shortcut, Ctrl/Cmd+Enter anywhere in the compose window. Each send is recorded
 * in window.fixtureSends with how it came (click, key, shortcut), whether the browser made the
 * event (trusted) or a script did (MailPing's "Send anyway" replays the person's press), and how
 * long after the event was created the handler ran (the benchmark's figure). Written for the
 * tests (no webmail's code).
 *
 * window.fixtureSend(control, compose, { shortcut: boolean }).
 */
(function () {
  'use strict';
  var sends = [];
  window.fixtureSends = sends;

  window.fixtureSend = function (control, compose, options) {
    var shortcut = !options || options.shortcut !== false;
    function send(via, event) {
      event.preventDefault();
      sends.push({ via: via, compose: compose.id || '', trusted: event.isTrusted, delayMs: performance.now() - event.timeStamp });
    }
    control.addEventListener('click', function (e) {
      send('click', e);
    });
    if (!/^(BUTTON|A|INPUT)$/.test(control.tagName)) {
      control.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') send('key', e);
      });
    }
    if (shortcut) {
      compose.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send('shortcut', e);
      });
    }
  };
})();
