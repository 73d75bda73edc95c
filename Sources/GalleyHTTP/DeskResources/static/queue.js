// The queue page's live list: the signed-in person's newest events (Server-Sent Events from
// /desk/events, their desk session as the credential), each with a link to its article.
// Without JavaScript the page works as it is; this only adds the list.
(function () {
  "use strict";
  var region = document.getElementById("latest-activity");
  if (!region || !("EventSource" in window)) return;
  var list = document.getElementById("latest-events");
  var empty = document.getElementById("latest-empty");
  var shown = 20;
  var source = new EventSource(region.getAttribute("data-stream"));

  function show(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    var item = document.createElement("li");
    if (typeof data.time === "string") {
      var time = document.createElement("time");
      time.dateTime = data.time;
      time.textContent = data.time.slice(0, 16).replace("T", " ") + " UTC";
      item.appendChild(time);
      item.appendChild(document.createTextNode(" "));
    }
    item.appendChild(document.createTextNode((data.actor || "someone") + ": " + event.type.replace(/[._]/g, " ")));
    var articleID = data.event && data.event.article_id;
    if (typeof articleID === "string" && /^[0-9a-f-]{36}$/.test(articleID)) {
      item.appendChild(document.createTextNode(" — "));
      var link = document.createElement("a");
      link.href = "/desk/articles/" + articleID;
      link.textContent = "open the article";
      item.appendChild(link);
    }
    list.insertBefore(item, list.firstChild);
    while (list.children.length > shown) list.removeChild(list.lastChild);
    empty.hidden = true;
  }

  region.getAttribute("data-types").split(" ").forEach(function (type) {
    if (type) source.addEventListener(type, show);
  });
  source.addEventListener("open", function () {
    region.hidden = false;
  });
})();
