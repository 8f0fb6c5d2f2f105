from django.contrib.admin import AdminSite

court_site = AdminSite(name="court")
