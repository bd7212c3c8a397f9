resource "aws_s3_bucket" "media" { # expect: terraform/s3-public-access-not-blocked,terraform/s3-no-encryption-config
  bucket = "shop-media"
}

resource "aws_lb" "web" { # expect: terraform/lb-no-waf
  name               = "shop-web"
  load_balancer_type = "application"
  subnets            = var.public_subnets
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP" # expect: terraform/lb-plain-http

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

# Prepared for the launch; switched on with the DNS change.
resource "aws_cloudfront_distribution" "web" {
  enabled = false

  origin {
    domain_name = aws_lb.web.dns_name
    origin_id   = "web"
  }

  default_cache_behavior { # expect: terraform/cloudfront-no-compression
    target_origin_id       = "web"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
}

resource "aws_route53_record" "www" {
  zone_id = var.zone_id
  name    = "shop.example.com"
  type    = "CNAME"
  ttl     = 86400 # expect: terraform/dns-ttl-long
  records = [aws_lb.web.dns_name]
}
