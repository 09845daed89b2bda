/*
 * Gmail's recipient chips and fields, for the Gmail fixture pages (gmail.html, gmail-popout.html),
 * on top of chip-input.js: a chip is div[role=option] with the address in data-hovercard-id and
 * the name in data-name (sources in gmail.html), placed in the field's listbox before its input.
 *
 * window.gmailField(kind, listId, inputId): makes the listbox `listId` with its input `inputId`
 * the fixture's recipient field `kind`.
 */
(function () {
  'use strict';
  function gmailChip(address, name) {
    var wrap = document.createElement('div');
    wrap.className = 'agh';
    var chip = document.createElement('div');
    chip.className = 'afV';
    chip.setAttribute('role', 'option');
    chip.setAttribute('aria-selected', 'false');
    chip.setAttribute('tabindex', '-1');
    chip.setAttribute('data-hovercard-id', address);
    chip.setAttribute('data-name', name || address);
    var avatar = document.createElement('div');
    avatar.className = 'afU';
    avatar.textContent = (name || address).charAt(0).toUpperCase();
    var label = document.createElement('span');
    label.className = 'afY';
    label.textContent = name || address;
    var x = document.createElement('div');
    x.className = 'afX';
    x.setAttribute('role', 'button');
    x.setAttribute('aria-label', 'Remove ' + (name || address));
    x.setAttribute('data-remove', '');
    chip.append(avatar, label, x);
    wrap.appendChild(chip);
    return wrap;
  }

  window.gmailField = function (kind, listId, inputId) {
    var list = document.getElementById(listId);
    var input = document.getElementById(inputId);
    window.fixtureField(kind, {
      input: input,
      drop: list,
      makeChip: gmailChip,
      place: function (chip) { list.insertBefore(chip, input); },
      chips: function () { return Array.prototype.slice.call(list.querySelectorAll('.agh')); },
    });
  };
})();
