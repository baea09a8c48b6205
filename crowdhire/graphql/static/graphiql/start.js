// Mounts GraphiQL with the explorer plugin. Headers persist in localStorage (shouldPersistHeaders);
// the query and variables are kept in the URL (as q and v: a "query" parameter would make
// the GET a GraphQL request) so a page can be shared.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var fetchURL = window.location.href.split("?")[0];
  var fetcher = GraphiQL.createFetcher({ url: fetchURL });

  function keepInURL(key, value) {
    if (value) {
      params.set(key, value);
    } else {
      params.delete(key);
    }
    history.replaceState(null, "", "?" + params.toString());
  }

  function CrowdhireGraphiQL() {
    var explorer = React.useMemo(function () {
      return GraphiQLPluginExplorer.explorerPlugin();
    }, []);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: params.get("q") || undefined,
      variables: params.get("v") || undefined,
      onEditQuery: function (value) { keepInURL("q", value); },
      onEditVariables: function (value) { keepInURL("v", value); },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(CrowdhireGraphiQL)
  );
})();
