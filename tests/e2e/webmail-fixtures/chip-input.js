/*
 * The behaviour webmails give their recipient fields, for the fixture pages: a typed address
 * becomes a chip on Enter, comma, semicolon, Tab or leaving the field; pasted text is split into
 * chips; typing shows an autocomplete list whose entries become chips on click; Backspace in an
 * empty field removes the last chip; a chip's × removes it; chips can be dragged to another
 * field. Each fixture supplies its own chip markup (`makeChip`) and where chips go (`place`),
 * which is what differs between webmails; this file is the common behaviour, written for the
 * tests (no webmail's code).
 *
 * window.fixture (for the tests): addChip(field, address, name?), removeChip(field, address),
 * chips(field) -> addresses, field(name). Fields are named by the fixture ('to', 'cc', 'reply-to'…).
 */
(function () {
  'use strict';
  var CONTACTS = [
    { name: 'Alice Example', address: 'alice@valid.test' },
    { name: 'Bob Builder', address: 'bob@valid.test' },
    { name: 'Nobody Here', address: 'nobody@valid.test' },
  ];
  var fields = {};
  var dragged = null;

  function split(text) {
    return text
      .split(/[,;\n]+/)
      .map(function (part) {
        var m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(part);
        return m ? { name: m[1].trim(), address: m[2].trim() } : { name: '', address: part.trim() };
      })
      .filter(function (r) {
        return r.address !== '';
      });
  }

  function add(kind, address, name) {
    var f = fields[kind];
    if (!f) return null;
    var chip = f.makeChip(address, name || '');
    chip.setAttribute('draggable', 'true');
    chip.__address = address;
    chip.addEventListener('dragstart', function (e) {
      dragged = { kind: kind, chip: chip, address: address, name: name || '' };
      e.dataTransfer.setData('text/plain', address);
    });
    f.place(chip);
    if (f.changed) f.changed();
    return chip;
  }

  function remove(kind, chip) {
    chip.remove();
    var f = fields[kind];
    if (f && f.changed) f.changed();
  }

  // A text input, or a contenteditable well (Outlook) where typed text sits after the chips.
  function typed(f) {
    if (!f.input.isContentEditable) return f.input.value;
    return Array.prototype.map
      .call(f.input.childNodes, function (n) {
        return n.nodeType === 3 ? n.nodeValue : '';
      })
      .join('')
      .replace(/\u200b/g, '');
  }
  function clearTyped(f) {
    if (!f.input.isContentEditable) {
      f.input.value = '';
      return;
    }
    Array.prototype.slice.call(f.input.childNodes).forEach(function (n) {
      if (n.nodeType === 3) n.remove();
    });
  }

  function commit(kind) {
    var f = fields[kind];
    var value = typed(f);
    clearTyped(f);
    hideSuggestions();
    split(value).forEach(function (r) {
      add(kind, r.address, r.name);
    });
  }

  var list = null;
  var listOwner = null;
  function hideSuggestions(owner) {
    if (owner !== undefined && owner !== listOwner) return;
    if (list) list.remove();
    list = null;
    listOwner = null;
  }
  function suggest(kind) {
    hideSuggestions();
    listOwner = kind;
    var f = fields[kind];
    var text = typed(f).trim().toLowerCase();
    if (text.length < 2) return;
    var matches = CONTACTS.filter(function (c) {
      return c.name.toLowerCase().indexOf(text) === 0 || c.address.indexOf(text) === 0;
    });
    if (matches.length === 0) return;
    // Like the webmails, the list is its own layer at the end of the page, not inside the field.
    list = document.createElement('div');
    list.setAttribute('role', 'listbox');
    list.id = 'fixture-suggestions';
    list.className = 'fixture-suggestions';
    var r = f.input.getBoundingClientRect();
    list.style.cssText = 'position:fixed;z-index:1000;background:#fff;border:1px solid #ccc;box-shadow:0 2px 6px rgba(0,0,0,.25);font:13px sans-serif;min-width:240px;left:' + r.left + 'px;top:' + (r.bottom + 2) + 'px';
    matches.forEach(function (c) {
      var option = document.createElement('div');
      option.setAttribute('role', 'option');
      option.className = 'fixture-suggestion';
      option.style.cssText = 'padding:6px 10px;cursor:pointer';
      option.textContent = c.name + ' <' + c.address + '>';
      option.addEventListener('mousedown', function (e) {
        e.preventDefault();
      });
      option.addEventListener('click', function () {
        clearTyped(f);
        hideSuggestions();
        add(kind, c.address, c.name);
        f.input.focus();
      });
      list.appendChild(option);
    });
    document.body.appendChild(list);
    f.input.setAttribute('aria-controls', list.id);
  }

  /**
   * kind: a name for the field ('to', 'cc', 'bcc', 'reply-to'…); spaceSeparates: a space ends an
   * address too (Roundcube); input: where addresses are typed; drop: the element chips can be
   * dropped on; makeChip(address, name) -> element (its × must call fixture.removeChip or carry
   * data-remove); place(chip): puts it into the field.
   */
  window.fixtureField = function (kind, spec) {
    fields[kind] = spec;
    var input = spec.input;
    input.addEventListener('keydown', function (e) {
      var value = typed(spec);
      if (e.key === 'Enter' || e.key === ',' || e.key === ';' || (e.key === ' ' && spec.spaceSeparates) || (e.key === 'Tab' && value.trim() !== '')) {
        if (value.trim() === '') return;
        e.preventDefault();
        commit(kind);
      } else if (e.key === 'Backspace' && value === '') {
        e.preventDefault();
        var chips = spec.chips();
        if (chips.length > 0) remove(kind, chips[chips.length - 1]);
      }
    });
    input.addEventListener('input', function () {
      suggest(kind);
    });
    input.addEventListener('blur', function () {
      if (typed(spec).trim() !== '') commit(kind);
      setTimeout(function () {
        hideSuggestions(kind);
      }, 150);
    });
    input.addEventListener('paste', function (e) {
      var text = (e.clipboardData || window.clipboardData).getData('text');
      if (!text) return;
      e.preventDefault();
      var before = typed(spec);
      clearTyped(spec);
      split(before + text).forEach(function (r) {
        add(kind, r.address, r.name);
      });
    });
    spec.drop.addEventListener('dragover', function (e) {
      if (dragged) e.preventDefault();
    });
    spec.drop.addEventListener('drop', function (e) {
      if (!dragged || dragged.kind === kind) return;
      e.preventDefault();
      remove(dragged.kind, dragged.chip);
      add(kind, dragged.address, dragged.name);
      dragged = null;
    });
    spec.drop.addEventListener('click', function (e) {
      var x = e.target.closest && e.target.closest('[data-remove]');
      if (x) {
        var chip = spec.chips().find(function (c) {
          return c.contains(x);
        });
        if (chip) remove(kind, chip);
      } else if (e.target === spec.drop && !input.isContentEditable) {
        input.focus();
      }
    });
  };

  window.fixture = {
    addChip: function (kind, address, name) {
      add(kind, address, name);
    },
    removeChip: function (kind, address) {
      var f = fields[kind];
      var chip = f.chips().find(function (c) {
        return c.__address === address;
      });
      if (chip) remove(kind, chip);
    },
    chips: function (kind) {
      return fields[kind].chips().map(function (c) {
        return c.__address;
      });
    },
    field: function (kind) {
      return fields[kind];
    },
  };
})();
