/**
 * The script of `@CachePage({ fragments: 'client' })` pages, served at
 * `/_cache-page/fragments.js` (an external script: a Content-Security-Policy of `script-src
 * 'self'` allows it). It finds the `<!--page-fragment:name-->` places in the page (comments, and
 * inside attribute values), asks `/_cache-page/fragments?names=…` (next to the script, so a global
 * prefix is kept) for this visitor's values, and puts them in: HTML in text, its text in
 * attributes. It sets `data-page-fragments="filled"` (or `"failed"`) on `<html>` when done and
 * dispatches `page-fragments` on `document`, for the page's own scripts.
 */
export const CLIENT_SCRIPT = `(function () {
  var script = document.currentScript;
  var endpoint = script && script.src ? script.src.replace(/\\.js(?:[?#].*)?$/, '') : '/_cache-page/fragments';
  var PLACE = /<!--page-fragment:([A-Za-z0-9_.-]{1,64})-->/g;
  function run() {
    var names = {}, comments = [], attributes = [];
    var walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_COMMENT | NodeFilter.SHOW_ELEMENT);
    for (var node = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === 8) {
        var match = /^page-fragment:([A-Za-z0-9_.-]{1,64})$/.exec(node.nodeValue);
        if (match) { names[match[1]] = true; comments.push([node, match[1]]); }
        continue;
      }
      for (var i = 0; i < node.attributes.length; i++) {
        var attribute = node.attributes[i];
        if (attribute.value.indexOf('<!--page-fragment:') === -1) continue;
        attribute.value.replace(PLACE, function (_, name) { names[name] = true; return ''; });
        attributes.push(attribute);
      }
    }
    var list = Object.keys(names);
    if (list.length === 0) return;
    var root = document.documentElement;
    fetch(endpoint + '?names=' + encodeURIComponent(list.join(',')), {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      cache: 'no-store'
    }).then(function (response) {
      if (!response.ok) throw new Error('fragments: ' + response.status);
      return response.json();
    }).then(function (values) {
      var html = function (name) { return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : ''; };
      var template = document.createElement('template');
      comments.forEach(function (place) {
        template.innerHTML = html(place[1]);
        place[0].parentNode.replaceChild(template.content, place[0]);
      });
      attributes.forEach(function (attribute) {
        attribute.value = attribute.value.replace(PLACE, function (_, name) {
          template.innerHTML = html(name);
          return template.content.textContent;
        });
      });
      root.setAttribute('data-page-fragments', 'filled');
      document.dispatchEvent(new CustomEvent('page-fragments', { detail: values }));
    }).catch(function () {
      root.setAttribute('data-page-fragments', 'failed');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
`;
