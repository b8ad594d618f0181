from django.urls import path

from jijian.core import views
from jijian.core.accounts import signin

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", signin.login_view, name="login"),
    path("accounts/logout/", signin.logout_view, name="logout"),
    path("accounts/password/", signin.password_change, name="password_change"),
    path("accounts/otp/", signin.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", signin.otp_setup, name="otp_setup"),
    path("accounts/me/", views.my_account, name="my_account"),
    path("accounts/tokens/", views.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("people/", views.user_list, name="user_list"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("people/<int:pk>/reveal/<str:field>/", views.user_reveal, name="user_reveal"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("manage/accounts/", views.account_list, name="account_list"),
    path("manage/accounts/new/", views.account_create, name="account_create"),
    path("manage/accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("manage/accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("manage/orgs/<int:pk>/", views.org_manage, name="org_manage"),
    path("manage/calendar/", views.calendar_view, name="calendar"),
    path("security/accounts/", views.security_list, name="security_list"),
    path("security/accounts/<int:pk>/", views.security_detail, name="security_detail"),
]
