from django.shortcuts import render
from django.utils.translation import gettext


def not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": gettext("页面不存在"), "message": gettext("您访问的页面不存在或不在您的权限范围内。")},
        status=404,
    )


def forbidden(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": gettext("无权访问"), "message": gettext("您没有执行此操作的权限。")},
        status=403,
    )


def server_error(request):
    return render(
        request,
        "core/error.html",
        {"title": gettext("系统错误"), "message": gettext("系统出现错误，已记录，请稍后重试。")},
        status=500,
    )
