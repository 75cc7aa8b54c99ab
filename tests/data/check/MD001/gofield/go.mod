module example.com/web
