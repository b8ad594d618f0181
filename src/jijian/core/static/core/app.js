// jijian: behaviour that needs no inline script (the CSP forbids it).
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var msg = status === 404 ? "记录不存在或不在您的权限范围内" : status === 403 ? "无权执行此操作" : "请求失败，请稍后重试";
  window.alert(msg);
});
document.addEventListener("htmx:sendError", function () {
  window.alert("网络连接中断，请检查网络后重试");
});
